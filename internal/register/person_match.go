package register

import (
	"context"
	"time"

	"github.com/kabinet/kabinet/internal/problem"
)

// REG-3 for a batch of registrations: whether each person already has a TIN, is held for an
// inspector's review, or gets a new TIN.

var msgBatchConflict = problem.Msg("register.batch_conflict")

// candidate is a possible match of a registration held for review: a TIN on record, or a row of
// the same batch whose TIN is known once the batch's serials are allocated.
type candidate struct {
	tin string
	row int // when tin is ""
}

// onFile is a record that holds a document or a СНИЛС of a request, and the record whose TIN is
// applied for it (itself, or the kept TIN when it is a duplicate, REG-7).
type onFile struct{ holder, kept *Taxpayer }

// matcher answers the rows of one batch inside one transaction (REG-3): from what the register
// holds, read once for the whole batch, and from the rows before each row. A record found by a
// document or a СНИЛС is the person's only when the full name and the birth date agree;
// otherwise the request is held for review like a namesake's, and nothing of that record is
// answered. Rows for the same person inside the batch share one outcome.
type matcher struct {
	ctx           context.Context
	tx            Tx
	rows          []pendingPerson
	out           []BatchResult
	skipNameCheck bool // an inspector decided the person is a different one (DecideReview)

	// What the register holds.
	known       map[string]string // document key → TIN
	snilsTIN    map[string]string // СНИЛС → TIN
	pending     map[string]*Review
	nameMatches map[string][]PersonMatch
	records     map[string]onFile // TIN → the record read for it

	// The rows of the batch.
	byKey       map[string]int   // document key → the row that gets a TIN or waits for a review with it
	bySNILS     map[string]int   // СНИЛС → likewise
	byName      map[string][]int // name and birth date → rows that get a TIN
	held        map[string]int   // document key → the row waiting for review with it: one pending review per document
	follows     map[int]int      // row → the earlier row whose outcome it shares
	isFresh     map[int]bool
	fresh       []int // rows that get a new TIN, in order
	reviews     []int // rows held for a new review, in order
	reviewCands map[int][]candidate
}

// match reads what the register holds about the rows and answers each of them: out gets the
// existing TINs, the pending reviews and the refused rows; m.fresh and m.reviews are left for the
// caller to allocate and insert.
func match(ctx context.Context, tx Tx, rows []pendingPerson, out []BatchResult, skipNameCheck bool) (*matcher, error) {
	m := &matcher{ctx: ctx, tx: tx, rows: rows, out: out, skipNameCheck: skipNameCheck,
		snilsTIN: map[string]string{}, nameMatches: map[string][]PersonMatch{}, records: map[string]onFile{},
		byKey: map[string]int{}, bySNILS: map[string]int{}, byName: map[string][]int{}, held: map[string]int{},
		follows: map[int]int{}, isFresh: map[int]bool{}, reviewCands: map[int][]candidate{}}
	keys := make([]string, 0, len(rows))
	var snilses []string
	names := make([]NameBirth, 0, len(rows))
	for _, r := range rows {
		keys = append(keys, r.key)
		if r.in.SNILS != "" {
			snilses = append(snilses, r.in.SNILS)
		}
		names = append(names, NameBirth{Name: r.nameNorm, Birth: r.in.BirthDate})
	}
	// The lookups for the whole batch at once. The order matters on engines where each statement
	// sees what was committed before it (PostgreSQL's read committed): the weakest evidence (name
	// and birth) is read first and the documents last, so a person committed by a concurrent
	// request in between is found by document rather than taken for a namesake.
	// Namesakes registered at the same time wait for each other here, so that the second one
	// finds the first by name and birth and goes to review instead of getting a second TIN.
	if err := tx.LockNames(ctx, names); err != nil {
		return nil, err
	}
	var err error
	if !skipNameCheck {
		if m.nameMatches, err = tx.PersonsByNamesBirths(ctx, names); err != nil {
			return nil, err
		}
	}
	if m.pending, err = tx.PendingReviewsByDocuments(ctx, keys); err != nil {
		return nil, err
	}
	if len(snilses) > 0 {
		if m.snilsTIN, err = tx.PersonsBySNILS(ctx, snilses); err != nil {
			return nil, err
		}
	}
	if m.known, err = tx.PersonsByDocuments(ctx, keys); err != nil {
		return nil, err
	}
	for j := range rows {
		if err := m.row(j); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// row answers row j.
func (m *matcher) row(j int) error {
	r := m.rows[j]
	if tin, ok := m.known[r.key]; ok { // the document is on record
		return m.onRecord(j, tin, "identity_document")
	}
	if k, ok := m.byKey[r.key]; ok { // the same document earlier in the batch
		m.follow(j, k, "identity_document")
		return nil
	}
	if r.in.SNILS != "" {
		if k, ok := m.bySNILS[r.in.SNILS]; ok {
			m.follow(j, k, "snils")
			return nil
		}
		if tin := m.snilsTIN[r.in.SNILS]; tin != "" { // the СНИЛС is on record
			return m.onRecord(j, tin, "snils")
		}
	}
	if rv := m.pending[r.key]; rv != nil {
		m.waits(j, rv)
		return nil
	}
	if !m.skipNameCheck {
		var cands []candidate
		for _, p := range m.nameMatches[NameBirth{Name: r.nameNorm, Birth: r.in.BirthDate}.Key()] {
			if p.Status == StatusNotApplied {
				continue
			}
			if p.BirthPlace != "" && r.in.BirthPlace != "" && NormalizeName(p.BirthPlace) != NormalizeName(r.in.BirthPlace) {
				continue
			}
			cands = append(cands, candidate{tin: p.TIN})
		}
		nk := r.nameNorm + "|" + r.in.BirthDate.Format(time.DateOnly)
		for _, k := range m.byName[nk] {
			if o := m.rows[k].in.BirthPlace; o == "" || r.in.BirthPlace == "" || NormalizeName(o) == NormalizeName(r.in.BirthPlace) {
				cands = append(cands, candidate{row: k}) // a row of this batch: its TIN is known after allocation
			}
		}
		if len(cands) > 0 {
			m.hold(j, "identity_document", cands)
			return nil
		}
		m.byName[nk] = append(m.byName[nk], j)
	}
	m.byKey[r.key] = j
	if r.in.SNILS != "" {
		m.bySNILS[r.in.SNILS] = j
	}
	m.isFresh[j] = true
	m.fresh = append(m.fresh, j)
	return nil
}

// sameRow reports whether two rows name the same person: full name and birth date.
func (m *matcher) sameRow(a, b int) bool {
	return m.rows[a].nameNorm == m.rows[b].nameNorm && m.rows[a].in.BirthDate.Equal(m.rows[b].in.BirthDate)
}

// lookup reads the record tin, once per batch.
func (m *matcher) lookup(tin string) (onFile, error) {
	if f, ok := m.records[tin]; ok {
		return f, nil
	}
	h, err := m.tx.Taxpayer(m.ctx, tin)
	if err != nil {
		return onFile{}, err
	}
	f := onFile{holder: h, kept: h}
	if h.Status == StatusNotApplied && h.Ending != nil && h.Ending.Reason == EndDuplicate && h.Ending.KeptTIN != "" {
		// REG-7: a duplicate TIN is not applied; the person's kept TIN is.
		if f.kept, err = finalKept(m.ctx, m.tx, h.Ending.KeptTIN); err != nil {
			return onFile{}, err
		}
	}
	m.records[tin] = f
	return f, nil
}

// onRecord answers row j whose document or СНИЛС (field) the record tin holds.
func (m *matcher) onRecord(j int, tin, field string) error {
	r := m.rows[j]
	f, err := m.lookup(tin)
	if err != nil {
		return err
	}
	if samePerson(f.holder.Person, &r.in) {
		m.out[r.idx].Result = Result{Taxpayer: f.kept, Mismatch: mismatch(f.kept, &r.in)}
		return nil
	}
	if m.skipNameCheck { // an inspector found this is another person: the document or СНИЛС cannot be theirs too
		msg := msgDocOther
		if field == "snils" {
			msg = msgSNILSTaken
		}
		return &problem.Error{Code: problem.Conflict, Message: msg, Fields: []problem.FieldError{{Field: field, Message: msg}}}
	}
	m.hold(j, field, []candidate{{tin: f.kept.TIN}})
	return nil
}

// follow answers row j whose document or СНИЛС (field) an earlier row k of the batch has.
func (m *matcher) follow(j, k int, field string) {
	switch {
	case m.sameRow(k, j):
		m.follows[j] = k
	case m.isFresh[k]: // k gets a TIN in this batch: j is held with it as the candidate
		m.hold(j, field, []candidate{{row: k}})
	default: // k waits for a review itself: there is nothing to compare j with
		m.refuse(j, field)
	}
}

// hold holds row j for a new review with its candidates; a row whose document already waits
// for a review waits for that one (or is refused when it names another person).
func (m *matcher) hold(j int, field string, cands []candidate) {
	r := m.rows[j]
	if rv := m.pending[r.key]; rv != nil {
		m.waits(j, rv)
		return
	}
	if h, ok := m.held[r.key]; ok {
		if m.sameRow(h, j) {
			m.follows[j] = h
		} else {
			m.refuse(j, field)
		}
		return
	}
	m.reviewCands[j] = cands
	m.reviews = append(m.reviews, j)
	m.claim(j)
}

// waits answers row j with the review already pending for its document.
func (m *matcher) waits(j int, rv *Review) {
	m.out[m.rows[j].idx].Result = Result{Review: rv}
	m.claim(j)
}

// claim makes row j, which waits for a review, the one later rows with its document or СНИЛС
// follow.
func (m *matcher) claim(j int) {
	r := m.rows[j]
	for _, byKey := range []map[string]int{m.held, m.byKey} {
		if _, ok := byKey[r.key]; !ok {
			byKey[r.key] = j
		}
	}
	if _, ok := m.bySNILS[r.in.SNILS]; !ok && r.in.SNILS != "" {
		m.bySNILS[r.in.SNILS] = j
	}
}

// refuse refuses row j: its document or СНИЛС (field) is given earlier in the batch for another
// person who waits for a review.
func (m *matcher) refuse(j int, field string) {
	m.out[m.rows[j].idx].Err = problem.InvalidField(field, fieldMsg(msgBatchConflict, field))
}

// samePerson reports whether a request names the person of a record: the same full name (case,
// ё and spacing aside) and the same birth date (REG-3). A document or a СНИЛС on record is
// applied to a request only when it does.
func samePerson(p *Person, in *PersonInput) bool {
	return p != nil && NormalizeName(p.Surname, p.GivenName, p.Patronymic) == NormalizeName(in.Surname, in.GivenName, in.Patronymic) &&
		p.BirthDate.Equal(in.BirthDate)
}
