// A relying party of kabinet's OpenID Connect provider written by others: npm openid-client
// (v6, OpenID-certified), driven by a Go test (internal/oidcweb/openidclient_test.go), which
// plays the browser between the two steps. It reads one JSON request on stdin and writes one
// JSON answer on stdout; a refusal by the library or the server is an answer ({"error": …}),
// not a failure of the script.
//
//   {"op": "start", "issuer", "client_id", "client_secret", "redirect_uri", "scope", "params"}
//     discovery, then an authorization URL with PKCE (S256), state and nonce:
//     {"url", "state", "nonce", "code_verifier", "metadata"}
//   {"op": "finish", … as start, "callback", "state", "nonce", "code_verifier",
//    "omit_code_verifier", "tamper_id_token", "token_redirect_uri", "replay_code"}
//     the callback URL exchanged for tokens (the ID token verified by the library: signature
//     against the published keys, issuer, audience, expiry, nonce, at_hash), userinfo, a refresh, and the used refresh token
//     presented again: {"tokens", "claims", "userinfo", "refreshed", "refreshed_claims",
//     "reuse", "after_reuse"}; with "omit_code_verifier" no PKCE verifier is sent; with
//     "replay_code", after the exchange the same code is exchanged again, then the first access
//     token is given to userinfo and the first refresh token refreshed:
//     {"tokens", "claims", "replay", "after_replay_userinfo", "after_replay_refresh"}
//
// Every request may carry "private_key_jwk" (a private JWK, EC P-256 with its kid): the client then
// authenticates with private_key_jwt (RFC 7523) signed by that key instead of a secret; and
// "clock_skew" (seconds): how far the provider's clock is ahead of this one (the test moves it).
import * as client from 'openid-client';

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

// describe turns what openid-client threw into JSON the test can check.
async function describe(err) {
  const out = { name: err?.name, code: err?.code, message: err?.message };
  if (typeof err?.error === 'string') out.error = err.error;
  if (typeof err?.error_description === 'string') out.description = err.error_description;
  const status = err?.status ?? err?.response?.status;
  if (status) out.status = status;
  if (err?.response && !err.response.bodyUsed) {
    try {
      const body = await err.response.json();
      if (typeof body?.error === 'string') out.error ??= body.error;
      if (typeof body?.error_description === 'string') out.description ??= body.error_description;
    } catch { /* not JSON */ }
  }
  if (Array.isArray(err?.cause)) {
    out.challenges = err.cause.map((c) => c.scheme);
    // A refusal by WWW-Authenticate (userinfo): its error is the challenge's.
    const challenge = err.cause.find((c) => typeof c?.parameters?.error === 'string');
    if (challenge) {
      out.error ??= challenge.parameters.error;
      out.description ??= challenge.parameters.error_description;
    }
  }
  // openid-client wraps what oauth4webapi found wrong: its reason is the cause.
  if (err?.cause instanceof Error) out.cause = { code: err.cause.code, message: err.cause.message };
  return out;
}

// configure discovers the provider and authenticates as the client: private_key_jwt with a
// private key, client_secret_basic with a secret, none (a public client) without; plain http is
// allowed for the test's 127.0.0.1. The signatures of ID tokens are checked against the
// provider's published keys too (over TLS the library may skip that; here it is what the test
// is for).
async function configure(req, fetchHook) {
  let auth = req.client_secret ? client.ClientSecretBasic(req.client_secret) : client.None();
  if (req.private_key_jwk) {
    const { kid, ...jwk } = req.private_key_jwk;
    const key = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    auth = client.PrivateKeyJwt({ key, kid });
  }
  const options = { execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks] };
  const metadata = req.clock_skew ? { [client.clockSkew]: req.clock_skew } : undefined;
  const config = await client.discovery(new URL(req.issuer), req.client_id, metadata, auth, options);
  if (fetchHook) config[client.customFetch] = fetchHook;
  return config;
}

// tamperer changes one character of the payload of the ID token in the token endpoint's answer,
// as a party between the two would.
function tamperer() {
  return async (url, options) => {
    const res = await fetch(url, options);
    const body = options?.body;
    if (!(body instanceof URLSearchParams) || body.get('grant_type') !== 'authorization_code' || !res.ok) return res;
    const json = await res.json();
    const [h, p, s] = json.id_token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    claims.acr = 'urn:kabinet:level:confirmed';
    claims.sub = claims.sub + 'x';
    json.id_token = [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), s].join('.');
    return new Response(JSON.stringify(json), { status: res.status, headers: { 'content-type': 'application/json' } });
  };
}

// redirector sends another redirect_uri to the token endpoint than the one of the authorization.
function redirector(uri) {
  return (url, options) => {
    const body = options?.body;
    if (body instanceof URLSearchParams && body.get('grant_type') === 'authorization_code') body.set('redirect_uri', uri);
    return fetch(url, options);
  };
}

async function start(req) {
  const config = await configure(req);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const params = {
    redirect_uri: req.redirect_uri,
    scope: req.scope || 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(req.params || {}),
  };
  const url = client.buildAuthorizationUrl(config, params);
  return { url: url.href, state, nonce, code_verifier: codeVerifier, metadata: config.serverMetadata() };
}

async function finish(req) {
  let hook;
  if (req.tamper_id_token) hook = tamperer();
  else if (req.token_redirect_uri) hook = redirector(req.token_redirect_uri);
  const config = await configure(req, hook);
  const out = {};
  let tokens;
  const checks = {
    pkceCodeVerifier: req.omit_code_verifier ? undefined : req.code_verifier,
    expectedState: req.state,
    expectedNonce: req.nonce,
    idTokenExpected: true,
  };
  try {
    tokens = await client.authorizationCodeGrant(config, new URL(req.callback), checks);
  } catch (err) {
    return { error: await describe(err) };
  }
  const claims = tokens.claims();
  out.tokens = { token_type: tokens.token_type, expires_in: tokens.expires_in, scope: tokens.scope, has_refresh_token: !!tokens.refresh_token };
  out.claims = claims;
  if (req.replay_code) return replay(config, req, checks, tokens, out);
  try {
    out.userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  } catch (err) {
    out.userinfo_error = await describe(err);
  }
  if (!tokens.refresh_token) return out;
  let refreshed;
  try {
    refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    out.refreshed = { token_type: refreshed.token_type, new_refresh_token: !!refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token,
      new_access_token: refreshed.access_token !== tokens.access_token };
    out.refreshed_claims = refreshed.claims();
    out.refreshed_userinfo = await client.fetchUserInfo(config, refreshed.access_token, claims.sub);
  } catch (err) {
    out.refresh_error = await describe(err);
    return out;
  }
  // The first refresh token again: refused, and the chain it belongs to revoked.
  try {
    await client.refreshTokenGrant(config, tokens.refresh_token);
    out.reuse = { accepted: true };
  } catch (err) {
    out.reuse = await describe(err);
  }
  try {
    await client.refreshTokenGrant(config, refreshed.refresh_token);
    out.after_reuse = { accepted: true };
  } catch (err) {
    out.after_reuse = await describe(err);
  }
  return out;
}

// replay exchanges the code of an exchange made already, then tries the tokens that exchange
// issued: the provider must have revoked them.
async function replay(config, req, checks, tokens, out) {
  try {
    await client.authorizationCodeGrant(config, new URL(req.callback), checks);
    out.replay = { accepted: true };
  } catch (err) {
    out.replay = await describe(err);
  }
  try {
    await client.fetchUserInfo(config, tokens.access_token, out.claims.sub);
    out.after_replay_userinfo = { accepted: true };
  } catch (err) {
    out.after_replay_userinfo = await describe(err);
  }
  if (tokens.refresh_token) {
    try {
      await client.refreshTokenGrant(config, tokens.refresh_token);
      out.after_replay_refresh = { accepted: true };
    } catch (err) {
      out.after_replay_refresh = await describe(err);
    }
  }
  return out;
}

try {
  const req = await readStdin();
  const ops = { start, finish };
  if (!ops[req.op]) throw new Error(`unknown op ${req.op}`);
  process.stdout.write(JSON.stringify(await ops[req.op](req)) + '\n');
} catch (err) {
  process.stderr.write(`rp.mjs: ${err?.stack || err}\n`);
  process.exit(1);
}
