//! TLS against a real server: this test binary's cluster gets a certificate from a CA made
//! here, and each sslmode is checked against it as libpq defines them.
mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::PathBuf;

use common::{cluster, scalar, target};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use schemaforge::db::connect;
use tokio::sync::OnceCell;

struct Pki {
    ca_file: PathBuf,
    other_ca_file: PathBuf,
}

fn new_ca() -> (String, Issuer<'static, KeyPair>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), Issuer::new(params, key))
}

static PKI: OnceCell<Pki> = OnceCell::const_new();

/// Turns TLS on in this binary's cluster with a certificate for `localhost` only.
async fn pki() -> &'static Pki {
    PKI.get_or_init(|| async {
        let sandbox = cluster();
        let dir = sandbox.dir();
        let owner = std::fs::metadata(dir).unwrap();
        let (ca_pem, ca) = new_ca();
        let (other_ca_pem, _) = new_ca();
        let server_key = KeyPair::generate().unwrap();
        let server_cert = CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .signed_by(&server_key, &ca)
            .unwrap();
        for (name, contents, mode) in [
            ("server.crt", server_cert.pem(), 0o644),
            ("server.key", server_key.serialize_pem(), 0o600),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, contents).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            std::os::unix::fs::chown(&path, Some(owner.uid()), Some(owner.gid())).unwrap();
        }
        // Inside the cluster directory, so they go when the cluster goes.
        let ca_file = dir.join("ca.pem");
        let other_ca_file = dir.join("other-ca.pem");
        std::fs::write(&ca_file, ca_pem).unwrap();
        std::fs::write(&other_ca_file, other_ca_pem).unwrap();

        let admin = connect(&target(&sandbox.url("postgres"))).await.unwrap();
        // ALTER SYSTEM refuses to run inside the implicit transaction of a multi-statement query.
        for setting in [
            format!("ssl_cert_file = '{}/server.crt'", dir.display()),
            format!("ssl_key_file = '{}/server.key'", dir.display()),
            "ssl = on".to_owned(),
        ] {
            admin
                .client
                .batch_execute(&format!("ALTER SYSTEM SET {setting}"))
                .await
                .unwrap();
        }
        admin
            .client
            .batch_execute("SELECT pg_reload_conf()")
            .await
            .unwrap();
        // The reload is asynchronous: wait until new sessions see it.
        for _ in 0..100 {
            let s = connect(&target(&sandbox.url("postgres"))).await.unwrap();
            if scalar(&s.client, "SHOW ssl").await.as_deref() == Some("on") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        Pki {
            ca_file,
            other_ca_file,
        }
    })
    .await
}

fn url(host: &str, params: &str) -> String {
    format!(
        "postgres://postgres:{}@{host}:{}/postgres?{params}",
        cluster().superuser_password(),
        cluster().port()
    )
}

async fn uses_tls(url: &str) -> bool {
    let session = connect(&target(url))
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    scalar(
        &session.client,
        "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
    )
    .await
    .as_deref()
        == Some("true")
}

#[tokio::test]
async fn require_encrypts_without_verifying() {
    pki().await;
    assert!(uses_tls(&url("127.0.0.1", "sslmode=require")).await);
    assert!(
        uses_tls(&url("127.0.0.1", "sslmode=prefer")).await,
        "prefer takes TLS when offered"
    );
    assert!(!uses_tls(&url("127.0.0.1", "sslmode=disable")).await);
}

#[tokio::test]
async fn verify_full_checks_the_chain_and_the_host_name() {
    let pki = pki().await;
    let ca = pki.ca_file.display();
    assert!(
        uses_tls(&url(
            "localhost",
            &format!("sslmode=verify-full&sslrootcert={ca}")
        ))
        .await
    );

    // The certificate names localhost, not 127.0.0.1.
    let err = connect(&target(&url(
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    )))
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("certificate"), "{err}");
    assert!(err.contains("sslrootcert"), "the hint names the fix: {err}");
}

#[tokio::test]
async fn verify_ca_checks_the_chain_but_not_the_host_name() {
    let pki = pki().await;
    let ca = pki.ca_file.display();
    assert!(
        uses_tls(&url(
            "127.0.0.1",
            &format!("sslmode=verify-ca&sslrootcert={ca}")
        ))
        .await
    );

    let other = pki.other_ca_file.display();
    let err = connect(&target(&url(
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={other}"),
    )))
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("certificate"),
        "an untrusted chain is refused: {err}"
    );
}

#[tokio::test]
async fn verify_ca_without_a_ca_file_refuses_rather_than_trusting_the_web() {
    pki().await;
    let err = connect(&target(&url("127.0.0.1", "sslmode=verify-ca")))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("verify-ca needs sslrootcert"), "{err}");
}
