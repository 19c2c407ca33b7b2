package oidc

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// Claims per scope (IDP-7): the name, СНИЛС, ИНН, the identity document and the address, the
// account's level as acr (IDP-2) and its confirmation method (IDP-4) — which the personal
// account needs to refuse accounts confirmed by mail (LK-6).

// ConfirmationClaim names the claim of the confirmation method (service_center, mail, esign).
const ConfirmationClaim = "confirmation_method"

// ScopeClaims lists the claims each scope releases (the discovery's claims_supported, and what
// the consent page puts into words).
var ScopeClaims = map[string][]string{
	"openid":      {"sub", "acr", ConfirmationClaim},
	"profile":     {"family_name", "given_name", "middle_name", "name", "birthdate", "gender"},
	"email":       {"email", "email_verified"},
	"phone":       {"phone_number", "phone_number_verified"},
	"snils":       {"snils"},
	"inn":         {"inn"},
	"id_document": {"id_document"},
	"address":     {"address"},
}

// ClaimsSupported lists every claim the provider may release, with those of the ID token.
func ClaimsSupported() []string {
	out := []string{"iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "azp", "sid", "at_hash"}
	for _, s := range Scopes {
		out = append(out, ScopeClaims[s]...)
	}
	return out
}

// IDDocument is the id_document claim: the identity document of a verified profile.
type IDDocument struct {
	Type     string `json:"type"` // passport_ru, passport_foreign
	Series   string `json:"series,omitempty"`
	Number   string `json:"number"`
	IssuedOn string `json:"issued_on,omitempty"` // YYYY-MM-DD
}

// Address is the address claim (OpenID Connect Core 5.1.1).
type Address struct {
	Formatted string `json:"formatted"`
}

// levelClaims are the claims of the account's level, in every ID token and userinfo answer.
func levelClaims(out map[string]any, a *identity.Account) {
	lv := tokenLevel(a)
	out["acr"] = lv.acr
	if lv.confirmation != "" {
		out[ConfirmationClaim] = lv.confirmation
	}
}

// level is what tokens say of an account's level: acr, and confirmation_method at the
// confirmed level (IDP-4, LK-6).
type level struct{ acr, confirmation string }

// tokenLevel is the level a token says of account a now.
func tokenLevel(a *identity.Account) level {
	lv := level{acr: ACR(a.Level)}
	if a.Level == identity.Confirmed && a.Method.Valid() {
		lv.confirmation = string(a.Method)
	}
	return lv
}

// UserClaims returns what the scopes release of account a to the subject sub. Data of the
// profile (birth date, sex, ИНН, the document, the address) are released only when the profile
// is verified — at the standard level and above (IDP-3); below it they are as typed. The name,
// the phone and the e-mail are the account's own (confirmed by codes); the СНИЛС is set only
// once verified.
func UserClaims(a *identity.Account, sub string, scopes []string) map[string]any {
	out := map[string]any{"sub": sub}
	levelClaims(out, a)
	verified := a.Level.AtLeast(identity.Standard)
	pr := a.Profile
	for _, s := range scopes {
		switch s {
		case "profile":
			set(out, "family_name", a.Surname)
			set(out, "given_name", a.GivenName)
			set(out, "middle_name", a.Patronymic)
			set(out, "name", a.FullName())
			if verified {
				if !pr.BirthDate.IsZero() {
					out["birthdate"] = pr.BirthDate.Format(time.DateOnly)
				}
				set(out, "gender", pr.Sex)
			}
		case "email":
			if a.Email != "" {
				out["email"], out["email_verified"] = a.Email, true
			}
		case "phone":
			if a.Phone != "" {
				out["phone_number"], out["phone_number_verified"] = a.Phone, true
			}
		case "snils":
			set(out, "snils", a.SNILS)
		case "inn":
			if verified {
				set(out, "inn", pr.INN)
			}
		case "id_document":
			if verified && pr.Passport.Number != "" {
				d := IDDocument{Type: pr.Passport.Type, Series: pr.Passport.Series, Number: pr.Passport.Number}
				if !pr.Passport.IssuedOn.IsZero() {
					d.IssuedOn = pr.Passport.IssuedOn.Format(time.DateOnly)
				}
				out["id_document"] = d
			}
		case "address":
			addr := pr.Residence
			if addr == "" {
				addr = pr.Postal
			}
			if verified && addr != "" {
				out["address"] = Address{Formatted: addr}
			}
		}
	}
	return out
}

func set(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

// The pairwise salt: random, made once and kept in the database (not derived from the secret
// key, so that subjects survive a change of that key).
const pairwiseSalt = "pairwise_salt"

type saltCache struct {
	st   Store
	mu   sync.Mutex
	salt []byte
}

func (s *saltCache) get(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.salt != nil {
		return s.salt, nil
	}
	v, err := s.st.Setting(ctx, pairwiseSalt)
	if errors.Is(err, storeerr.ErrNotFound) {
		v = make([]byte, 32)
		rand.Read(v)
		err = s.st.InsertSetting(ctx, pairwiseSalt, v)
		if _, taken := storeerr.IsKeyTaken(err); taken {
			v, err = s.st.Setting(ctx, pairwiseSalt) // another process made it first
		}
	}
	if err != nil {
		return nil, err
	}
	s.salt = v
	return v, nil
}

// subject returns the sub that client c gets for an account: the account's id (stable for the
// account's life), or for a pairwise client an HMAC of its sector and the account's id
// (OpenID Connect Core 8.1), so that services of different sectors cannot link their users
// without the citizen.
func (p *Provider) subject(ctx context.Context, c *Client, accountID string) (string, error) {
	if c.SubjectType != SubPairwise {
		return accountID, nil
	}
	salt, err := p.salt.get(ctx)
	if err != nil {
		return "", err
	}
	return pairwise(salt, c.Sector, accountID), nil
}

func pairwise(salt []byte, sector, accountID string) string {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(sector))
	m.Write([]byte{0})
	m.Write([]byte(accountID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Subject returns the sub client c gets for an account (for end-session: is the ID token the
// client holds this citizen's).
func (p *Provider) Subject(ctx context.Context, c *Client, accountID string) (string, error) {
	return p.subject(ctx, c, accountID)
}

// scopesCover reports whether have holds every scope of want.
func scopesCover(have, want []string) bool {
	for _, s := range want {
		if !slices.Contains(have, s) {
			return false
		}
	}
	return true
}
