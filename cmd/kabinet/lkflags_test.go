package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// --lk-oidc-issuer (LK-6) goes with a client id and a secret, each also from KABINET_LK_OIDC_…;
// a wrong combination is a usage error before anything starts.
func TestServeLKOIDCFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--lk-oidc-issuer", "https://id.example"}, nil, "needs --lk-oidc-client-id"},
		{[]string{"--lk-oidc-issuer", "https://id.example", "--lk-oidc-client-id", "lk"}, nil, "needs --lk-oidc-client-secret"},
		{[]string{"--lk-oidc-client-id", "lk"}, nil, "need --lk-oidc-issuer"},
		{[]string{"--lk-oidc-issuer", "id.example", "--lk-oidc-client-id", "lk", "--lk-oidc-client-secret", "s"}, nil, "want https://"},
		{nil, map[string]string{"KABINET_LK_OIDC_ISSUER": "https://id.example", "KABINET_LK_OIDC_CLIENT_SECRET": "s"}, "needs --lk-oidc-client-id"},
	} {
		var out, errOut bytes.Buffer
		getenv := func(k string) string { return c.env[k] }
		code := run(context.Background(), append([]string{"serve", "--addr", "127.0.0.1:0", "--db", t.TempDir() + "/k.db"}, c.args...),
			&env{stdout: &out, stderr: &errOut, getenv: getenv})
		if code != exitUsage || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%v %v: exit %d, %q; want a usage error %q", c.args, c.env, code, errOut.String(), c.want)
		}
	}
}
