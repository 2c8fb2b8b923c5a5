// A test wallet injected as window.ethereum (EIP-1193) before any page script runs.
// It speaks for one account and forwards every request to the Anvil node, which holds
// the development keys and signs; nothing is mocked between the page and the chain.
// `window.ethereum.rejectNext = n` makes the wallet's user press "Reject" on the next n
// signature or transaction requests (EIP-1193 error 4001), as a person would.
(() => {
  const RPC_URL = "__RPC_URL__";
  const ACCOUNT = "__ACCOUNT__";
  let nextId = 0;

  async function rpc(method, params) {
    const response = await fetch(RPC_URL, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++nextId, method, params: params || [] }),
    });
    const body = await response.json();
    if (body.error) {
      const error = new Error(body.error.message);
      error.code = body.error.code;
      error.data = body.error.data;
      throw error;
    }
    return body.result;
  }

  const NEEDS_CONSENT = new Set(["eth_sendTransaction", "personal_sign", "eth_signTypedData_v4"]);

  window.ethereum = {
    isJiedanTestWallet: true,
    rejectNext: 0,
    async request({ method, params }) {
      if (NEEDS_CONSENT.has(method) && this.rejectNext > 0) {
        this.rejectNext -= 1;
        const error = new Error("User rejected the request.");
        error.code = 4001;
        throw error;
      }
      switch (method) {
        case "eth_requestAccounts":
        case "eth_accounts":
          return [ACCOUNT];
        case "eth_sendTransaction":
          return rpc(method, [{ ...params[0], from: ACCOUNT }]);
        default:
          return rpc(method, params);
      }
    },
    on() {},
    removeListener() {},
  };
})();
