"""Exact gas per escrow operation on a fresh local Anvil chain, with a bare ERC-20 transfer as baseline.

python bench/gas           # one table
python bench/gas --json    # the same figures as one JSON object (operation -> gas)

Every figure is `gasUsed` of one mined transaction (after refunds), measured in a steady state:
the escrow already holds the token and has accrued platform fees, job ids are past 1, parties
hold the token unless the row says otherwise, and each create is preceded by an exact `approve`
(not counted) as a wallet would send it. Deterministic: same code, same figures.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UNIT = 10**6
DAY = 86_400


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure() -> dict[str, int]:
    """Deploy everything on a fresh chain and measure each operation once."""
    from ape import accounts, chain, project  # noqa: PLC0415 (needs the env set first)
    from eth_utils import keccak  # noqa: PLC0415

    test = accounts.test_accounts
    owner, client, freelancer, arbiter, stranger, fee_recipient, newcomer = (test[i] for i in range(7))
    gas: dict[str, int] = {}

    reputation = owner.deploy(project.Reputation)
    escrow = owner.deploy(project.Escrow, reputation, 100, fee_recipient)
    reputation.register_escrow(escrow, sender=owner)
    token = owner.deploy(project.TestToken, "Jiedan USD", "jUSD", 6)
    for who in (client, freelancer, arbiter, fee_recipient):
        token.mint(who, 10_000_000 * UNIT, sender=owner)

    def terms(n: int, amount: int = 100 * UNIT) -> tuple:
        now = chain.pending_timestamp
        return (arbiter.address, 500, 100, 3 * DAY, 7 * DAY, [(amount, now + 30 * DAY + i) for i in range(n)])

    def create(n: int, fund: int | None = None, hired=freelancer):
        job_terms = terms(n)
        fund = n if fund is None else fund
        if fund:
            token.approve(escrow, 100 * UNIT * fund, sender=client)
        receipt = escrow.create_job(hired, token, job_terms, keccak(text="listing"), fund, sender=client)
        return receipt.return_value, job_terms, receipt

    def submit(job_id, index, job_terms):
        return escrow.submit(job_id, index, keccak(text=f"work {index}"), job_terms, sender=freelancer)

    # Warm up: the escrow holds the token, has accrued fees, the reputation slots exist.
    create(1)  # a reserve job that stays funded
    warm_id, warm_terms, _ = create(1)
    submit(warm_id, 0, warm_terms)
    escrow.approve(warm_id, 0, sender=client)
    escrow.rate(warm_id, 5, keccak(text="ok"), sender=client)

    gas["erc20 transfer (baseline, to a holder)"] = token.transfer(freelancer, UNIT, sender=client).gas_used
    for n in (1, 3, 10, 50):
        gas[f"create+fund {n} milestone{'s' if n > 1 else ''}"] = create(n)[2].gas_used
    gas["create 3 milestones, no funding"] = create(3, fund=0)[2].gas_used

    job_id, job_terms, _ = create(3, fund=1)
    token.approve(escrow, 100 * UNIT, sender=client)
    gas["fund 1 milestone"] = escrow.fund(job_id, 1, job_terms, sender=client).gas_used
    gas["submit"] = submit(job_id, 0, job_terms).gas_used
    gas["approve (freelancer holds the token)"] = escrow.approve(job_id, 0, sender=client).gas_used

    new_id, new_terms, _ = create(3, hired=newcomer)
    escrow.submit(new_id, 0, keccak(text="w"), new_terms, sender=newcomer)
    gas["approve (freelancer holds none)"] = escrow.approve(new_id, 0, sender=client).gas_used

    submit(job_id, 1, job_terms)
    gas["dispute"] = escrow.dispute(job_id, 1, sender=client).gas_used
    gas["resolve"] = escrow.resolve(job_id, 1, 6_000, job_terms, sender=arbiter).gas_used

    rel_id, rel_terms, _ = create(3)
    submit(rel_id, 0, rel_terms)
    chain.pending_timestamp += 3 * DAY
    gas["release after review period"] = escrow.release(rel_id, 0, sender=stranger).gas_used

    submit(rel_id, 1, rel_terms)
    escrow.dispute(rel_id, 1, sender=freelancer)
    chain.pending_timestamp += 7 * DAY
    gas["default ruling"] = escrow.apply_default_ruling(rel_id, 1, sender=freelancer).gas_used

    rec_id, rec_terms, _ = create(3)
    chain.pending_timestamp = rec_terms[5][0][1] + 1
    gas["reclaim"] = escrow.reclaim(rec_id, 0, rec_terms, sender=client).gas_used

    end_id, end_terms, _ = create(1)
    submit(end_id, 0, end_terms)
    gas["approve last milestone (job ends, reputation)"] = escrow.approve(end_id, 0, sender=client).gas_used
    gas["rate"] = escrow.rate(end_id, 5, keccak(text="great"), sender=client).gas_used

    set_id, set_terms, _ = create(3)
    nonce = escrow.get_job(set_id).nonce
    digest = escrow.settlement_digest(set_id, 5_000, nonce)
    signatures = [who.sign_raw_msghash(digest) for who in (client, freelancer)]
    encoded = [sig.r + sig.s + bytes([sig.v]) for sig in signatures]
    gas["settle (3 milestones)"] = escrow.settle(set_id, 5_000, set_terms, *encoded, sender=stranger).gas_used

    blocky = owner.deploy(project.blocklist_token_mock)
    blocky.mint(client, 1_000 * UNIT, sender=owner)
    blocky.mint(freelancer, UNIT, sender=owner)
    blocky.approve(escrow, 200 * UNIT, sender=client)
    b_terms = terms(2)
    b_id = escrow.create_job(freelancer, blocky, b_terms, keccak(text="b"), 2, sender=client).return_value
    submit(b_id, 0, b_terms)
    blocky.set_blocked(freelancer, True, sender=owner)
    escrow.approve(b_id, 0, sender=client)  # credited
    blocky.set_blocked(freelancer, False, sender=owner)
    gas["withdraw credit"] = escrow.withdraw(blocky, freelancer, sender=freelancer).gas_used
    gas["collect platform fees"] = escrow.collect_fees(token, sender=stranger).gas_used
    return gas


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/gas", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object (operation -> gas)")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    os.environ.setdefault("APE_FOUNDRY_HOST", f"http://127.0.0.1:{_free_port()}")
    from ape import networks  # noqa: PLC0415
    from ape.logging import logger  # noqa: PLC0415

    logger.set_level("ERROR")
    with networks.parse_network_choice("ethereum:local:foundry"):
        gas = measure()
    if args.json:
        print(json.dumps(gas, indent=2))
        return 0
    width = max(len(name) for name in gas)
    print(f"{'operation':<{width}}  {'gas':>9}")
    print(f"{'-' * width}  {'-' * 9}")
    for name, used in gas.items():
        print(f"{name:<{width}}  {used:>9,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
