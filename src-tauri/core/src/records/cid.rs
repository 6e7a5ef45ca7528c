//! A record's CID, computed on the client: CIDv1, codec dag-cbor (0x71), multihash sha2-256 of the
//! record's DAG-CBOR encoding (map keys in length-first canonical order, links as tag 42), written
//! in base32 (`bafyrei…`). This is what the PDS answers for the same record.

use crate::error::{Error, Result};
use ipld_core::cid::multihash::Multihash;
use ipld_core::cid::Cid;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The DAG-CBOR codec.
const DAG_CBOR: u64 = 0x71;
/// sha2-256 in the multihash table.
const SHA2_256: u64 = 0x12;

/// The CID the server gives `record` (a typed record of this module, with its `$type`).
pub fn cid_for<T: Serialize>(record: &T) -> Result<String> {
    let bytes = serde_ipld_dagcbor::to_vec(record)
        .map_err(|err| Error::internal("encoding a record", &err))?;
    let digest = Sha256::digest(&bytes);
    let hash = Multihash::<64>::wrap(SHA2_256, &digest)
        .map_err(|err| Error::internal("hashing a record", &err))?;
    Ok(Cid::new_v1(DAG_CBOR, hash).to_string())
}
