//! rustls set-up for each `sslmode`, matching libpq's meaning of the five modes.

use std::path::Path;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::target::SslMode;

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Why no TLS connector could be built; the messages name the setting to fix.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{0}")]
    Rustls(#[from] rustls::Error),
    #[error("sslmode=verify-ca needs sslrootcert=<your CA file> (or use verify-full)")]
    VerifyCaWithoutRoot,
    #[error("cannot read sslrootcert {}: {reason}", path.display())]
    UnreadableRoot {
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("bad certificate in {}: {reason}", path.display())]
    BadCertificate {
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("{0}")]
    Verifier(#[from] rustls::client::VerifierBuilderError),
}

/// The connector for `mode`. With `prefer`/`require` and no root certificate the channel is
/// encrypted but the server is not authenticated — exactly libpq's behaviour.
pub fn connector(mode: SslMode, root_cert: Option<&Path>) -> Result<MakeRustlsConnect, TlsError> {
    let verify_chain = match mode {
        SslMode::Disable | SslMode::Prefer | SslMode::Require => {
            root_cert.is_some() && mode == SslMode::Require
        }
        SslMode::VerifyCa | SslMode::VerifyFull => true,
    };
    let builder =
        ClientConfig::builder_with_provider(provider()).with_safe_default_protocol_versions()?;
    let system_roots = root_cert.is_none_or(|p| p == Path::new("system"));
    if mode == SslMode::VerifyCa && system_roots {
        // A chain check without the host name is only meaningful against your own CA: with the
        // public web roots any site's certificate would pass. libpq refuses this too.
        return Err(TlsError::VerifyCaWithoutRoot);
    }
    let config = if verify_chain {
        let roots = Arc::new(root_store(root_cert)?);
        let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider()).build()?;
        if mode == SslMode::VerifyFull {
            builder.with_webpki_verifier(webpki).with_no_client_auth()
        } else {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(ChainOnly(webpki)))
                .with_no_client_auth()
        }
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider())))
            .with_no_client_auth()
    };
    Ok(MakeRustlsConnect::new(config))
}

/// Roots from `sslrootcert` when given (`system` means the bundled web roots), else the web roots.
fn root_store(root_cert: Option<&Path>) -> Result<RootCertStore, TlsError> {
    let mut store = RootCertStore::empty();
    match root_cert {
        Some(path) if path != Path::new("system") => {
            let bad = |reason: String| TlsError::BadCertificate {
                path: path.to_path_buf(),
                reason,
            };
            let certs =
                CertificateDer::pem_file_iter(path).map_err(|e| TlsError::UnreadableRoot {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })?;
            for cert in certs {
                let cert = cert.map_err(|e| bad(e.to_string()))?;
                store.add(cert).map_err(|e| bad(e.to_string()))?;
            }
        }
        _ => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    Ok(store)
}

/// `verify-ca`: the chain must lead to a trusted root; the host name is not checked.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer`/`require`: encrypt, check the handshake signatures, trust any certificate.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
