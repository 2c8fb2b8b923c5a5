// The wallet bridge: connect through EIP-1193 (window.ethereum), send the transactions
// the backend builds, and report progress in #status. No keys ever reach the server.
"use strict";

const Jiedan = (() => {
  const body = document.body.dataset;
  const expectedChainId = Number(body.chainId);
  let account = null;

  function status(text, isError = false) {
    const el = document.getElementById("status");
    el.textContent = text;
    el.classList.toggle("error", isError);
  }

  function sameAddress(a, b) {
    return Boolean(a && b) && a.toLowerCase() === b.toLowerCase();
  }

  function walletError(error) {
    if (error && error.code === 4001) return "You rejected the request in your wallet.";
    if (error && error.problem) return error.problem.detail || error.problem.title;
    const message = (error && error.message) || String(error);
    const revert = /execution reverted:?\s*(.*)/i.exec(message);
    if (revert) return `The chain refused the transaction: ${revert[1] || "no reason given"}.`;
    return message;
  }

  async function connect() {
    if (!window.ethereum) {
      status("No wallet found: this page needs a browser wallet (EIP-1193).", true);
      return null;
    }
    try {
      const accounts = await window.ethereum.request({ method: "eth_requestAccounts" });
      const chainId = parseInt(await window.ethereum.request({ method: "eth_chainId" }), 16);
      if (chainId !== expectedChainId) {
        status(`Your wallet is on chain ${chainId}; switch it to chain ${expectedChainId}.`, true);
        return null;
      }
      account = accounts[0];
      document.getElementById("account").textContent = account;
      document.getElementById("connect").hidden = true;
      document.dispatchEvent(new CustomEvent("jiedan:connected", { detail: account }));
      return account;
    } catch (error) {
      status(walletError(error), true);
      return null;
    }
  }

  async function request(method, path, payload) {
    const response = await fetch(path, {
      method,
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    if (response.status === 204) return null;
    const data = await response.json();
    if (!response.ok) {
      const error = new Error(data.detail || data.title || `HTTP ${response.status}`);
      error.problem = data;
      error.status = response.status;
      throw error;
    }
    return data;
  }

  // GET without a payload, POST with one (JSON both ways; problems become errors with .problem).
  function api(path, payload) {
    return request(payload === undefined ? "GET" : "POST", path, payload);
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function send(tx, label) {
    status(`${label}: confirm in your wallet…`);
    const hash = await window.ethereum.request({
      method: "eth_sendTransaction",
      params: [{ from: tx.from, to: tx.to, data: tx.data, value: tx.value }],
    });
    status(`${label}: pending (${hash})…`);
    for (;;) {
      const receipt = await window.ethereum.request({ method: "eth_getTransactionReceipt", params: [hash] });
      if (receipt) {
        if (receipt.status !== "0x1") throw new Error(`${label}: the transaction reverted (${hash})`);
        status(`${label}: confirmed in block ${parseInt(receipt.blockNumber, 16)}.`);
        return receipt;
      }
      await sleep(400);
    }
  }

  // "12.5" in a token with `decimals` decimals → "12500000" (exact, no floating point).
  function toUnits(text, decimals) {
    const match = /^\s*(\d+)(?:\.(\d+))?\s*$/.exec(text);
    if (!match) throw new Error(`"${text.trim()}" is not an amount`);
    const fraction = (match[2] || "").padEnd(decimals, "0");
    if (fraction.length > decimals) throw new Error(`"${text.trim()}" has more than ${decimals} decimals`);
    return (BigInt(match[1]) * 10n ** BigInt(decimals) + BigInt(fraction || "0")).toString();
  }

  // 12500000n with 6 decimals → "12.5"
  function formatUnits(amount, decimals) {
    const base = 10n ** BigInt(decimals);
    const whole = BigInt(amount) / base;
    const fraction = (BigInt(amount) % base).toString().padStart(decimals, "0").replace(/0+$/, "");
    return whole.toLocaleString("en-US") + (fraction ? `.${fraction}` : "");
  }

  function toHex(text) {
    return "0x" + Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // Sign-In with Ethereum (EIP-4361): nonce from the server, message signed by the wallet
  // (personal_sign, hex-encoded), checked by the server, which sets an HttpOnly session cookie.
  async function signIn() {
    const address = account || (await connect());
    if (!address) return false;
    try {
      const nonce = await api("/api/auth/nonce", {});
      const spelled = (await api(`/web/checksum/${address}`)).address;
      const issued = new Date();
      const expires = new Date(issued.getTime() + 10 * 60 * 1000);
      const message = [
        `${nonce.domain} wants you to sign in with your Ethereum account:`,
        spelled,
        "",
        nonce.statement,
        "",
        `URI: ${nonce.uri}`,
        `Version: ${nonce.version}`,
        `Chain ID: ${nonce.chain_id}`,
        `Nonce: ${nonce.nonce}`,
        `Issued At: ${issued.toISOString()}`,
        `Expiration Time: ${expires.toISOString()}`,
      ].join("\n");
      status("Sign in: confirm the message in your wallet…");
      let signature;
      try {
        signature = await window.ethereum.request({ method: "personal_sign", params: [toHex(message), spelled] });
      } catch (error) {
        if (error && error.code === 4001) {
          status("You rejected the sign-in signature: you are not signed in.", true);
          return false;
        }
        throw error;
      }
      await api("/api/auth/verify", { message, signature });
      status("Signed in.");
      window.location.reload();
      return true;
    } catch (error) {
      status(`Sign-in failed: ${walletError(error)}`, true);
      return false;
    }
  }

  // EIP-712 typed data (the backend's payload, integers as decimal strings) signed by the connected wallet.
  async function signTyped(typedData, label) {
    const address = account || (await connect());
    if (!address) throw new Error("Connect your wallet first.");
    status(`${label}: confirm in your wallet…`);
    return window.ethereum.request({ method: "eth_signTypedData_v4", params: [address, JSON.stringify(typedData)] });
  }

  // A freelancer's consent: the escrow terms the backend offers (POST `path` with `payload`, or GET without),
  // signed by the wallet → { terms, signature }, what a proposal or an order acceptance carries.
  async function signConsent(path, payload) {
    const offered = await api(path, payload);
    const signature = await signTyped(offered.typed_data, "Sign the escrow terms");
    status("Escrow terms signed.");
    return { terms: offered.terms, signature };
  }

  async function signOut() {
    try {
      await api("/api/auth/sign-out", {});
      window.location.reload();
    } catch (error) {
      status(walletError(error), true);
    }
  }

  document.getElementById("connect").addEventListener("click", connect);
  const signInButton = document.getElementById("sign-in");
  if (signInButton) signInButton.addEventListener("click", signIn);
  const signOutButton = document.getElementById("sign-out");
  if (signOutButton) signOutButton.addEventListener("click", signOut);
  if (window.ethereum) {
    window.ethereum.request({ method: "eth_accounts" }).then((accounts) => {
      if (accounts && accounts.length) connect();
    });
  }

  return {
    connect, api, request, send, status, sameAddress, walletError, toUnits, formatUnits, sleep, signIn, signOut, toHex,
    signTyped, signConsent,
    get account() { return account; },
  };
})();
