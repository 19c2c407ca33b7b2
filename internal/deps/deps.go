// Package deps pins the project's third-party modules while the packages that use them are being written.
package deps

import (
	_ "github.com/chromedp/chromedp"
	_ "github.com/emersion/go-smtp"
	_ "github.com/go-pdf/fpdf"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/pressly/goose/v3"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
	_ "golang.org/x/crypto/argon2"
	_ "golang.org/x/image/font/gofont/goregular"
	_ "golang.org/x/time/rate"
	_ "modernc.org/sqlite"
)
