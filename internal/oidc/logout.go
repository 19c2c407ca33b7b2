package oidc

import (
	"context"
	"errors"
	"slices"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0; IDP-7): a service sends the
// browser to the end-session endpoint with the ID token it holds (id_token_hint), where to come
// back (post_logout_redirect_uri, registered per client, matched exactly) and its state. The
// web layer ends the citizen's session at once when the hint is that citizen's, and asks them
// otherwise.

// LogoutRequest is what the end-session endpoint was given.
type LogoutRequest struct {
	IDTokenHint           string
	ClientID              string
	PostLogoutRedirectURI string
	State                 string
}

// Logout is a checked end-session request.
type Logout struct {
	Client      *Client // nil when neither the hint nor client_id named one
	RedirectURI string  // where to send the browser afterwards; "" to show a page instead
	State       string
	Subject     string // the hint's sub, "" without a hint
	SessionID   string // the hint's sid
}

var (
	msgLogoutHint     = problem.Msg("oidc.logout.bad_hint")
	msgLogoutRedirect = problem.Msg("oidc.logout.bad_redirect_uri")
)

// CheckLogout checks an end-session request. Its errors are problems, for an error page: a
// redirect URI is never followed unless it is registered for the client the request names.
func (p *Provider) CheckLogout(ctx context.Context, iss string, in LogoutRequest) (*Logout, error) {
	out := &Logout{State: in.State}
	clientID := in.ClientID
	if in.IDTokenHint != "" {
		var c IDClaims
		// An expired ID token is a fine hint (its signature still says who it was issued to).
		if err := p.verifyJWT(ctx, in.IDTokenHint, typID, &c); err != nil || c.Issuer != iss || len(c.Audience) == 0 {
			return nil, problem.New(problem.Invalid, msgLogoutHint)
		}
		if clientID != "" && !c.Audience.Contains(clientID) {
			return nil, problem.New(problem.Invalid, msgLogoutHint)
		}
		clientID = c.Audience[0]
		out.Subject, out.SessionID = c.Subject, c.SID
	}
	if clientID != "" {
		c, err := p.o.Store.Client(ctx, clientID)
		switch {
		case errors.Is(err, storeerr.ErrNotFound):
			if in.PostLogoutRedirectURI != "" || in.IDTokenHint != "" {
				return nil, problem.New(problem.Invalid, msgLogoutRedirect)
			}
		case err != nil:
			return nil, err
		default:
			out.Client = c
		}
	}
	if in.PostLogoutRedirectURI != "" {
		if out.Client == nil || !slices.Contains(out.Client.PostLogoutURIs, in.PostLogoutRedirectURI) {
			return nil, problem.New(problem.Invalid, msgLogoutRedirect)
		}
		out.RedirectURI = in.PostLogoutRedirectURI
	}
	return out, nil
}
