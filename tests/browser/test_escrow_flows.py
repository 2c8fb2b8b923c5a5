"""The escrow's whole life in Chromium, each party in their own wallet: the freelancer's proposal signs the
escrow terms, the client hires and funds, deliver, approve, dispute and rule, settle (both sign, with an
expiry), reclaim, release after review, rate — every state shown came back through the indexer."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from eth_utils import keccak
from playwright.sync_api import expect
from web3.logs import DISCARD

from tests.support.activity import deploy, make_terms, sign_typed, transact
from tests.support.browser_flows import accept, hire, milestone_state, propose, sign_in, travel
from tests.support.chain import wallet

pytestmark = pytest.mark.browser

UNIT = 10**6
HASH = "0x" + "ab" * 32


def _utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _submit(page, job_id: int, milestone: int, deliverable: str = HASH) -> None:
    page.goto(f"/jobs/{job_id}?deliverable={deliverable}&milestone={milestone}")
    row = page.locator(f'tr[data-milestone="{milestone}"]')
    expect(row.get_by_label("Deliverable hash")).to_have_value(deliverable)  # pre-filled from the thread's file
    row.get_by_role("button", name="Submit this milestone").click()
    expect(page.locator("#status")).to_have_text(f"Milestone {milestone + 1} submitted: the review period runs.")
    expect(milestone_state(page, milestone)).to_have_text("submitted")


def test_happy_path__hire_deliver_approve_rate(wallet_page, marketplace):
    token, reputation = marketplace.contract("TestToken"), marketplace.contract("Reputation")
    freelancer_before = token.functions.balanceOf(wallet("freelancer")).call()
    ratings_before = reputation.functions.stats(wallet("freelancer")).call()[5:7]
    client = wallet_page(wallet("client"))
    freelancer = wallet_page(wallet("freelancer"))
    w3, escrow = marketplace.chain.w3, marketplace.contract("Escrow")
    sent_before = w3.eth.get_transaction_count(wallet("client"))
    token.functions.approve(escrow.address, 0).transact({"from": wallet("client")})  # no allowance left from before

    job_id = hire(client, freelancer, amounts="300, 500.25", days="7, 14")
    # jUSD takes EIP-2612 permits: the client signed one and sent a single transaction (after the reset above)
    assert w3.eth.get_transaction_count(wallet("client")) == sent_before + 2
    assert token.functions.allowance(wallet("client"), escrow.address).call() == 0  # the permit was spent
    job = marketplace.contract("Escrow").functions.get_job(job_id).call()
    start = job[4]
    expect(client.locator('tr[data-milestone="1"] td[data-label="Deadline"]')).to_have_text(
        _utc(start + 14 * 86_400)
    )  # the durations the freelancer signed, from the job's start
    expect(client.locator("#funded")).to_contain_text("800.25 jUSD")
    expect(milestone_state(client, 0)).to_have_text("funded")
    expect(client.get_by_role("button", name="Approve and pay")).to_have_count(0)  # nothing to approve yet

    _submit(freelancer, job_id, 0)
    client.reload()
    client.get_by_role("button", name="Approve and pay").click()
    expect(client.locator("#status")).to_have_text("Milestone 1 approved: the freelancer is paid.")
    expect(milestone_state(client, 0)).to_have_text("approved")

    _submit(freelancer, job_id, 1)
    client.reload()
    client.get_by_role("button", name="Approve and pay").click()
    expect(client.locator("#job-status")).to_contain_text("ended")

    client.get_by_label("Your rating (1–5)").select_option("5")
    client.get_by_label("Comment").fill("Fast, careful work")
    client.get_by_role("button", name="Rate").click()
    expect(client.locator("#status")).to_have_text("Your rating is on-chain.")
    expect(client.get_by_role("button", name="Rate")).to_have_count(0)  # once only
    freelancer.reload()
    freelancer.get_by_label("Your rating (1–5)").select_option("4")
    freelancer.get_by_role("button", name="Rate").click()
    expect(freelancer.locator("#status")).to_have_text("Your rating is on-chain.")

    paid = token.functions.balanceOf(wallet("freelancer")).call() - freelancer_before
    fee_bps = marketplace.contract("Escrow").functions.platform_fee_bps().call()
    assert paid == 800_250_000 - 800_250_000 * fee_bps // 10_000
    count, total = reputation.functions.stats(wallet("freelancer")).call()[5:7]
    assert (count, total) == (ratings_before[0] + 1, ratings_before[1] + 5)  # the client's 5 stars, on-chain


def test_release_after_review_period__by_anyone(wallet_page, marketplace, fresh_wallet):
    client, freelancer = wallet_page(wallet("client")), wallet_page(wallet("freelancer"))
    job_id = hire(client, freelancer, amounts="120", days="5")
    _submit(freelancer, job_id, 0)

    stranger = wallet_page(fresh_wallet())
    stranger.goto(f"/jobs/{job_id}")
    expect(stranger.locator('tr[data-milestone="0"] .state')).to_have_text("submitted")
    expect(stranger.get_by_role("button", name="Release payment")).to_have_count(0)  # review still running

    travel(marketplace.chain.w3, 3 * 86_400 + 60)  # the hiring default's review period: 3 days
    stranger.reload()
    stranger.get_by_role("button", name="Release payment").click()
    expect(stranger.locator("#status")).to_have_text("Milestone 1 released: the freelancer is paid.")
    expect(milestone_state(stranger, 0)).to_have_text("released")


def test_reclaim_after_missed_deadline__funds_back_to_client(wallet_page, marketplace):
    token = marketplace.contract("TestToken")
    client = wallet_page(wallet("client"))
    hire(client, wallet_page(wallet("freelancer")), amounts="75", days="1")
    before = token.functions.balanceOf(wallet("client")).call()
    expect(client.get_by_role("button", name="Reclaim the funds")).to_have_count(0)

    travel(marketplace.chain.w3, 2 * 86_400)
    client.reload()
    client.get_by_role("button", name="Reclaim the funds").click()
    expect(client.locator("#status")).to_have_text("Milestone 1 reclaimed: the funds went back to the client.")
    expect(milestone_state(client, 0)).to_have_text("reclaimed")
    assert token.functions.balanceOf(wallet("client")).call() == before + 75 * UNIT


def test_dispute__ruled_by_the_arbiter_wallet(wallet_page, marketplace):
    token = marketplace.contract("TestToken")
    client, freelancer = wallet_page(wallet("client")), wallet_page(wallet("freelancer"))
    job_id = hire(client, freelancer, amounts="1000", days="10")
    _submit(freelancer, job_id, 0)
    client.reload()
    client.get_by_role("button", name="Open a dispute").click()
    expect(client.locator("#status")).to_have_text("Milestone 1 is disputed: the arbiter rules next.")
    expect(client.get_by_role("button", name="Rule")).to_have_count(0)  # only the arbiter rules

    arbiter_before = token.functions.balanceOf(wallet("arbiter")).call()
    arbiter = wallet_page(wallet("arbiter"))
    sign_in(arbiter, "/arbiter")  # the queue lists the disputes naming this wallet as arbiter
    arbiter.get_by_role("link", name=f"#{job_id}", exact=True).click()
    arbiter.wait_for_url(f"**/jobs/{job_id}")
    row = arbiter.locator('tr[data-milestone="0"]')  # the ruling control, not the (hidden) settlement form
    row.get_by_label("Freelancer's share (%)").fill("70")
    row.get_by_role("button", name="Rule").click()
    expect(arbiter.locator("#status")).to_have_text("Milestone 1 ruled.")
    expect(milestone_state(arbiter, 0)).to_have_text("resolved")
    assert token.functions.balanceOf(wallet("arbiter")).call() == arbiter_before + 20 * UNIT  # 2% arbiter fee


def test_settlement__signed_by_both_parties__with_the_same_expiry(wallet_page, marketplace):
    client, freelancer = wallet_page(wallet("client")), wallet_page(wallet("freelancer"))
    job_id = hire(client, freelancer, amounts="200, 300", days="10, 20")
    client.get_by_label("Freelancer's share (%)").fill("60")
    client.get_by_role("button", name="Sign this split").click()
    expect(client.locator("#settlement-signatures")).to_contain_text("client signed a 60% split")
    expect(client.locator("#settlement-signatures")).to_contain_text("good until")  # a week: the signature expires

    freelancer.goto(f"/jobs/{job_id}")
    freelancer.get_by_label("Freelancer's share (%)").fill("60")
    freelancer.get_by_role("button", name="Sign this split").click()
    expect(freelancer.get_by_role("button", name="Send the settlement")).to_be_visible()
    freelancer.get_by_role("button", name="Send the settlement").click()
    expect(freelancer.locator("#status")).to_have_text("The job is settled.")
    expect(freelancer.locator("#job-status")).to_contain_text("settled")


def test_withdraw__a_payout_the_token_refused_is_credited__on_the_dashboard_and_the_job_page_which_withdraws_it(
    wallet_page, marketplace, fresh_wallet
):
    w3, escrow = marketplace.chain.w3, marketplace.contract("Escrow")
    blocklisting = deploy(w3, "blocklist_token_mock")  # like USDC: transfers to a blocked address revert
    client, freelancer = wallet("client"), fresh_wallet()
    amount = 250 * UNIT
    transact(w3, blocklisting.functions.mint(client, amount), wallet("owner"))
    transact(w3, blocklisting.functions.approve(escrow.address, amount), client)
    terms = make_terms(w3, escrow, [amount], freelancer=freelancer, token=blocklisting.address)
    consent = sign_typed(w3, freelancer, terms.consent_typed_data(chain_id=w3.eth.chain_id, escrow=escrow.address))
    receipt = transact(w3, escrow.functions.create_job(terms.as_abi(), consent, 1), client)
    [created] = escrow.events.JobCreated().process_receipt(receipt, errors=DISCARD)
    job_id = created["args"]["job_id"]
    transact(w3, escrow.functions.submit(job_id, terms.as_abi(), 0, keccak(text="labels.zip")), freelancer)
    transact(w3, blocklisting.functions.set_blocked(freelancer, True), wallet("owner"))
    transact(w3, escrow.functions.approve(job_id, terms.as_abi(), 0), client, gas=800_000)  # the push fails: credited
    transact(w3, blocklisting.functions.set_blocked(freelancer, False), wallet("owner"))
    credit = escrow.functions.credits(blocklisting.address, freelancer).call()
    assert credit == amount * 99 // 100  # the milestone less the 1% platform fee
    assert blocklisting.functions.balanceOf(freelancer).call() == 0

    page = wallet_page(freelancer)
    sign_in(page)  # lands on the dashboard
    credits = page.locator("#credits .credit")
    expect(credits).to_have_count(1)  # shown once the indexer projected the credit
    expect(credits).to_contain_text("247.5 BLOCK")
    page.goto(f"/jobs/{job_id}")
    on_the_job = page.locator("#credits .credit")
    expect(on_the_job).to_contain_text("247.5 BLOCK")
    on_the_job.get_by_role("button", name="Withdraw").click()
    expect(page.locator("#job-status")).to_be_visible()
    expect(page.locator("#credits")).to_have_count(0)  # reloaded after the indexer saw the withdrawal
    assert blocklisting.functions.balanceOf(freelancer).call() == credit
    assert escrow.functions.credits(blocklisting.address, freelancer).call() == 0


def test_a_job_in_eth__posted_in_the_form__hired_without_an_allowance__paid_in_eth(wallet_page, marketplace):
    escrow = marketplace.contract("Escrow")
    w3 = marketplace.chain.w3
    client, freelancer = wallet_page(wallet("client")), wallet_page(wallet("freelancer"))

    sign_in(client, "/post")
    client.get_by_label("Title", exact=True).fill("Port a contract to Vyper")
    client.get_by_label("Paid in").select_option(label="ETH (the chain's own currency)")
    expect(client.locator("label[for=budget]")).to_have_text("Budget in ETH")  # the labels follow the choice
    client.get_by_label(re.compile("^Budget")).fill("0.3")
    client.get_by_label("Milestone title").fill("The port")
    client.get_by_label(re.compile("^Amount")).fill("0.25")
    client.get_by_role("button", name="Save and preview").click()
    client.wait_for_url(re.compile(r"/posts/\d+$"))
    expect(client.locator("#budget")).to_have_text("0.3 ETH")  # typed in ETH, stored in wei
    client.get_by_role("button", name="Publish").click()
    expect(client.locator("h1 .pill")).to_have_text("published")
    path = client.url.removeprefix(client.url.split("/posts/")[0])

    propose(freelancer, path, days="7")
    held_before, sent_before = w3.eth.get_balance(escrow.address), w3.eth.get_transaction_count(wallet("client"))
    accept(client, path, wallet("freelancer"))
    expect(client.locator("#status.error").or_(client.locator("table.milestones"))).to_be_visible(timeout=30_000)
    job_id = int(client.url.rsplit("/", 1)[1])
    expect(client.locator("#funded")).to_contain_text("0.25 ETH")
    assert w3.eth.get_balance(escrow.address) - held_before == 25 * 10**16  # the value rode on create-and-fund
    assert w3.eth.get_transaction_count(wallet("client")) == sent_before + 1  # one transaction: no allowance

    _submit(freelancer, job_id, 0)
    client.reload()
    client.get_by_role("button", name="Approve and pay").click()
    expect(client.locator("#job-status")).to_contain_text("ended")
    fee = 25 * 10**16 * escrow.functions.platform_fee_bps().call() // 10_000
    assert held_before - w3.eth.get_balance(escrow.address) == -fee  # paid out but the fee, which it keeps
