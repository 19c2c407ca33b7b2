package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/store"
)

// The secret key (32 bytes) that encrypts the OpenID Connect provider's signing keys in the
// database (IDP-7). It never enters the database, and every process of a deployment needs the
// same one. Where it comes from, first found first:
//
//  1. --secret-key-file FILE (env KABINET_SECRET_KEY_FILE): the key in base64, or 32 raw bytes;
//  2. KABINET_SECRET_KEY: the key in base64;
//  3. kabinet-secret.key beside the SQLite database (in the working directory for PostgreSQL).
//
// When none is there, `kabinet serve` makes the third and warns: the file must be kept (and
// backed up) with the database, and given to every other process. A process whose key differs
// from the one that encrypted the keys in the database refuses to start.

// SecretKeyFile is the name of the secret key's default file.
const SecretKeyFile = "kabinet-secret.key"

// secretKeyFlag adds --secret-key-file to fs.
func secretKeyFlag(fs *flag.FlagSet, e *env) *string {
	def := ""
	if e.getenv != nil {
		def = e.getenv("KABINET_SECRET_KEY_FILE")
	}
	return fs.String("secret-key-file", def, "file of the 32-byte secret key (base64) that encrypts the OpenID Connect signing keys (env KABINET_SECRET_KEY_FILE, or the key itself in KABINET_SECRET_KEY; default: "+SecretKeyFile+" beside the SQLite database)")
}

// defaultSecretKeyPath is the default file of the secret key for the database dsn.
func defaultSecretKeyPath(dsn string) string {
	if store.IsPostgresURL(dsn) {
		return SecretKeyFile
	}
	return filepath.Join(filepath.Dir(strings.TrimPrefix(dsn, "file:")), SecretKeyFile)
}

// parseSecretKey reads a key: base64 (standard or URL alphabet, padded or not) of 32 bytes, or
// 32 raw bytes.
func parseSecretKey(b []byte) ([]byte, error) {
	s := strings.TrimSpace(string(b))
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == 32 {
			return k, nil
		}
	}
	if len(b) == 32 {
		return b, nil
	}
	return nil, errors.New("the secret key must be 32 bytes, in base64 (openssl rand -base64 32)")
}

// secretKey returns the secret key and where it came from. With create, the default file is
// made when no key is found (and said on stderr); without, no key is nil.
func secretKey(e *env, dsn, file string, create bool) ([]byte, string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, "", fmt.Errorf("--secret-key-file: %w", err)
		}
		k, err := parseSecretKey(b)
		if err != nil {
			return nil, "", fmt.Errorf("--secret-key-file %s: %w", file, err)
		}
		return k, file, nil
	}
	if e.getenv != nil {
		if v := e.getenv("KABINET_SECRET_KEY"); v != "" {
			k, err := parseSecretKey([]byte(v))
			if err != nil {
				return nil, "", fmt.Errorf("KABINET_SECRET_KEY: %w", err)
			}
			return k, "KABINET_SECRET_KEY", nil
		}
	}
	path := defaultSecretKeyPath(dsn)
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := parseSecretKey(b)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", path, err)
		}
		return k, path, nil
	}
	if !errors.Is(err, fs.ErrNotExist) || !create {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", nil
		}
		return nil, "", err
	}
	k := make([]byte, 32)
	rand.Read(k)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return secretKey(e, dsn, "", false) // another process made it first
	}
	if err != nil {
		return nil, "", fmt.Errorf("make the secret key: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, "", fmt.Errorf("make the secret key: %w", err)
	}
	abs, _ := filepath.Abs(path)
	fmt.Fprintf(e.stderr, "kabinet: WARNING: made a new secret key in %s: it encrypts the OpenID Connect signing keys in the database. "+
		"Keep it with the database and back it up; give every other kabinet process of this database the same key "+
		"(KABINET_SECRET_KEY or --secret-key-file). Without it the signing keys cannot be read.\n", abs)
	return k, path, nil
}

// oidcFlags are the OpenID Connect provider's flags of serve and worker.
type oidcFlags struct {
	keyFile, alg *string
}

// newOIDCFlags adds --secret-key-file and --oidc-alg to fs.
func newOIDCFlags(fs *flag.FlagSet, e *env) oidcFlags {
	def := ""
	if e.getenv != nil {
		def = e.getenv("KABINET_OIDC_ALG")
	}
	return oidcFlags{keyFile: secretKeyFlag(fs, e),
		alg: fs.String("oidc-alg", def, "ES256 (default) or RS256: the signing algorithm of tokens for clients that name none (env KABINET_OIDC_ALG)")}
}

// config returns the provider's configuration; create makes the secret key's default file
// when there is no key (serve); publicURL "" is warned about (the issuer then follows each
// request's host).
func (f oidcFlags) config(e *env, dsn, publicURL string, create bool) (app.OIDC, error) {
	if a := *f.alg; a != "" && a != oidc.ES256 && a != oidc.RS256 {
		return app.OIDC{}, fmt.Errorf("--oidc-alg: want ES256 or RS256, got %q", a)
	}
	key, _, err := secretKey(e, dsn, *f.keyFile, create)
	if err != nil {
		return app.OIDC{}, err
	}
	if create && publicURL == "" {
		fmt.Fprintln(e.stderr, "kabinet: the OpenID Connect issuer follows each request's scheme and host; in production give --public-url https://host (KABINET_PUBLIC_URL), which relying parties check")
	}
	return app.OIDC{SecretKey: key, Alg: *f.alg}, nil
}
