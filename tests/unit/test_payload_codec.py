"""The payload codec: sealed with the current key, opened with any configured one."""

from pathlib import Path

import pytest
from temporalio.api.common.v1 import Payload

from agencyflow.config.settings import Settings
from agencyflow.domain.id_numbers import mask_id_number
from agencyflow.payload_codec import EncryptionCodec, UnknownKey, key_file, new_key, parse_key
from tests.factories import id_number
from tests.histories_scan import id_numbers_in

PLAIN = Payload(metadata={"encoding": b"json/plain"}, data=b'{"id_number": "331102198506150011"}')


async def test_a_sealed_payload_hides_its_content_and_opens_again() -> None:
    codec = EncryptionCodec("k1", {"k1": parse_key(new_key())})
    (sealed,) = await codec.encode([PLAIN])
    assert b"331102" not in sealed.SerializeToString()
    assert sealed.metadata["encryption-key-id"] == b"k1"
    assert await codec.decode([sealed]) == [PLAIN]


async def test_after_rotation_old_payloads_still_open_and_new_ones_take_the_new_key() -> None:
    old_key, new = parse_key(new_key()), parse_key(new_key())
    (old,) = await EncryptionCodec("k1", {"k1": old_key}).encode([PLAIN])
    rotated = EncryptionCodec("k2", {"k1": old_key, "k2": new})
    assert await rotated.decode([old]) == [PLAIN]
    (fresh,) = await rotated.encode([PLAIN])
    assert fresh.metadata["encryption-key-id"] == b"k2"
    with pytest.raises(UnknownKey):
        await EncryptionCodec("k1", {"k1": old_key}).decode([fresh])


async def test_payloads_from_before_encryption_pass_through() -> None:
    codec = EncryptionCodec("k1", {"k1": parse_key(new_key())})
    assert await codec.decode([PLAIN]) == [PLAIN]


def test_the_embedded_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "payload.key"
    first = key_file(path)
    assert key_file(path) == first
    assert len(parse_key(first)) == 32
    assert path.stat().st_mode & 0o077 == 0


def test_a_key_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        parse_key("c2hvcnQ=")


def test_the_history_scan_finds_an_id_number_in_clear_and_nothing_in_ciphertext() -> None:
    clear = b'{"id_number": "' + id_number(1).encode() + b'", "uscc": "91331102MA0001000W"}'
    assert id_numbers_in(clear) == {mask_id_number(id_number(1))}
    assert id_numbers_in(b"331102198506150012 is no ID: its check character is wrong") == set()
    # An update id's hex may hold 18 digits with a valid check by chance: not an ID number.
    assert id_numbers_in(b"update-ab" + id_number(1).encode() + b"f3c9") == set()


def test_no_new_key_is_made_beside_an_existing_temporal_store(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    first = settings.payload_codec()
    assert (tmp_path / "payload.key").exists() and first is not None
    settings.temporal_db_path.write_bytes(b"histories sealed with that key")
    (tmp_path / "payload.key").unlink()
    with pytest.raises(RuntimeError, match="restore the key"):
        settings.payload_codec()
