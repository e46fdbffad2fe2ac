//! `--iam terraform` (not written yet).

use super::IamOutput;
use crate::emit::EmitError;
use crate::ir::Install;

pub(super) fn emit(_install: &Install) -> Result<IamOutput, EmitError> {
    Ok(IamOutput::default())
}
