// An OpenID provider written by others for the personal account's tests (LK-6): npm
// oidc-provider (v9, OpenID-certified), run by Node from the Go tests (internal/nodetest's
// StartProvider). It has one client — the personal account of the test's kabinet — and logs in
// a fixed account without asking anything (a minimal interaction: login, then consent, both
// granted at once), whose claims are what kabinet's own provider would send: inn, snils, acr
// (urn:kabinet:level:…) and confirmation_method — acr as a claim of the openid scope, in
// userinfo (oidc-provider puts the session's acr in the ID token only when acr_values ask for it).
//
// Run: node provider.mjs NODE_MODULES_DIR, with one JSON object on stdin:
//   {"port", "client_id", "client_secret", "redirect_uri", "accounts": {id: {claims…}}, "account": id}
// It prints {"issuer": "http://127.0.0.1:PORT"} on stdout once listening and runs until killed.
// POST /test/account with {"account": id} changes the account the next login gets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.argv[2];
const { default: Provider } = await import(pathToFileURL(join(modules, 'oidc-provider', 'lib', 'index.js')).href);

const cfg = JSON.parse(readFileSync(0, 'utf8'));
const issuer = `http://127.0.0.1:${cfg.port}`;
const accounts = cfg.accounts;
let current = cfg.account;

const provider = new Provider(issuer, {
  clients: [{
    client_id: cfg.client_id,
    client_secret: cfg.client_secret,
    redirect_uris: [cfg.redirect_uri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  scopes: ['openid', 'profile', 'snils', 'inn'],
  claims: {
    auth_time: null,
    iss: null,
    sid: null,
    openid: ['sub', 'acr', 'confirmation_method'],
    profile: ['family_name', 'given_name', 'middle_name', 'name'],
    snils: ['snils'],
    inn: ['inn'],
  },
  acrValues: ['urn:kabinet:level:simplified', 'urn:kabinet:level:standard', 'urn:kabinet:level:confirmed'],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['kabinet-lk-test-provider-cookie-key'] },
  async findAccount(ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
  renderError(ctx, out) {
    ctx.type = 'application/json';
    ctx.body = out;
  },
});

provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path === '/test/account') {
    const chunks = [];
    for await (const c of ctx.req) chunks.push(c);
    current = JSON.parse(Buffer.concat(chunks).toString('utf8')).account;
    ctx.body = { account: current };
    return;
  }
  if (!ctx.path.startsWith('/interaction/')) {
    await next();
    return;
  }
  // The minimal interaction: the fixed account logs in, and consents to what was asked.
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  let result;
  if (details.prompt.name === 'login') {
    result = { login: { accountId: current, acr: accounts[current].acr, amr: ['pwd'] } };
  } else {
    const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
});

const server = provider.listen(cfg.port, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ issuer }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
