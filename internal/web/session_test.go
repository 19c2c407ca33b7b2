package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// StartSession ends the session of its own site that the request carried (a token fixed before
// sign-in is never reused), in the session header or in the site's cookie, and never a session of
// another site, wherever the client put that one's token.
func TestStartSessionEndsOnlyItsOwnSite(t *testing.T) {
	ctx := context.Background()
	sessions := session.NewManager(store.NewSessions(storetest.SQLite(t)), nil)
	s, err := NewSite(Site{Name: "test", Base: "/test/", Tagline: "app.tagline", Sessions: sessions}, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := func(site string) string {
		tok, _, err := sessions.Start(ctx, session.Start{Site: site, Subject: "ivanova", Method: session.Password})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	live := func(site, tok string) bool {
		sess, err := sessions.Get(ctx, site, tok)
		if err != nil {
			t.Fatal(err)
		}
		return sess != nil
	}
	// signIn signs in to the test site with a request carrying token in the session header or in
	// the site's cookie.
	signIn := func(token string, inHeader bool) string {
		r := httptest.NewRequest("POST", "http://example.test/test/login", nil)
		if inHeader {
			r.Header.Set(SessionHeader, token)
		} else {
			r.AddCookie(&http.Cookie{Name: s.Cookie(), Value: token})
		}
		tok, sess, err := s.StartSession(httptest.NewRecorder(), r, "citizen-1", session.OneTimeCode, "simplified")
		if err != nil || sess.Site != "test" || tok == token {
			t.Fatalf("sign-in: %v %+v", err, sess)
		}
		return tok
	}
	for _, inHeader := range []bool{true, false} {
		other := start("office")
		mine := signIn(other, inHeader)
		if !live("office", other) {
			t.Errorf("header %v: signing in to one site ended the session of another", inHeader)
		}
		if !live("test", mine) {
			t.Errorf("header %v: the new session is not live", inHeader)
		}
		own := start("test")
		signIn(own, inHeader)
		if live("test", own) {
			t.Errorf("header %v: the site's session the request carried was not ended", inHeader)
		}
	}
}
