use std::process::ExitCode;

fn main() -> ExitCode {
    schemaforge::cli::main()
}
