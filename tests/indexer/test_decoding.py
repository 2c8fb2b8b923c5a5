"""The indexer's own log decoding (straight from hex) equals web3.py's on real escrow logs, and a
stored raw event decodes back into the arguments its handler first received."""

from __future__ import annotations

import json

import pytest
from eth_utils import event_abi_to_log_topic
from hexbytes import HexBytes
from web3._utils.events import get_event_data

from backend.app.core.config import Settings
from backend.app.core.contracts import load_abi
from backend.app.services.chain import connect_chain
from indexer.abi import EventDecoder, to_jsonable
from tests.support.activity import UNIT, create_job, pay


def _plain(value):  # noqa: ANN001, ANN202 - web3's arrays and structs as the indexer's lists and tuples
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "values") and not isinstance(value, str | bytes):
        return tuple(_plain(item) for item in value.values())
    return value


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_decode__equals_web3__and_round_trips_through_args_json(settings: Settings, local_chain):
    gateway = connect_chain(settings)
    w3 = local_chain.w3
    job_id = create_job(gateway, w3, [5 * 10**9 + 7, 3 * UNIT, UNIT])
    pay(gateway, w3, job_id, 0)
    escrow = gateway.escrow.address
    decoder = EventDecoder(settings.build_manifest, {escrow: "Escrow"})
    abis = {
        HexBytes(event_abi_to_log_topic(entry)): entry
        for entry in load_abi(settings.build_manifest, "Escrow")
        if entry["type"] == "event"
    }
    raw = w3.provider.make_request("eth_getLogs", [{"address": escrow, "fromBlock": "0x0", "toBlock": "latest"}])
    formatted = w3.eth.get_logs({"address": escrow, "fromBlock": 0, "toBlock": "latest"})
    assert len(raw["result"]) == len(formatted) >= 3
    for log, reference in zip(raw["result"], formatted, strict=True):
        ours = decoder.decode(log)
        theirs = get_event_data(w3.codec, abis[HexBytes(reference["topics"][0])], reference)
        assert ours is not None and ours.name == theirs["event"]
        assert ours.args == {key: _plain(value) for key, value in theirs["args"].items()}
        # the generated args_json writes exactly what json would of the JSON-able arguments
        assert decoder.args_json(ours) == json.dumps(
            {key: to_jsonable(value) for key, value in ours.args.items()}, separators=(",", ":")
        )
        stored = decoder.from_row(
            contract=ours.contract,
            event_name=ours.name,
            args_json=decoder.args_json(ours),
            block_number=ours.block_number,
            block_hash=ours.block_hash,
            tx_hash=ours.tx_hash,
            log_index=ours.log_index,
        )
        assert stored == ours
