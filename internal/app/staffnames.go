package app

import (
	"context"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/staff"
)

// staffDirectory is the staff directory as the personal account names the members who acted on
// an account in its history (cabinet.StaffDirectory).
type staffDirectory struct{ s *staff.Service }

// StaffMember returns the name and position of the member with login; found false when none.
func (d staffDirectory) StaffMember(ctx context.Context, login string) (name, position string, found bool, err error) {
	m, err := d.s.Member(ctx, login)
	if problem.Is(err, problem.NotFound) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	return m.Name, m.Position, true, nil
}
