package register

import (
	"fmt"
	"strconv"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/tin"
)

// This file is the register's one door to package tin (TIN-1..5): building TINs and КПП from
// serials, and checking СНИЛС, ОГРН and TINs typed by users.

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// newPersonTIN builds a 12-digit TIN: office + 6-digit serial + two check digits (TIN-1, TIN-5).
func newPersonTIN(office string, serial int64) (string, error) {
	if serial < 1 || serial > 999999 {
		return "", fmt.Errorf("register: person serial %d out of range at office %s", serial, office)
	}
	return tin.NewIndividualINN(office, int(serial))
}

// newOrganizationTIN builds a 10-digit TIN: office + 5-digit serial + check digit (TIN-2).
func newOrganizationTIN(office string, serial int64) (string, error) {
	if serial < 1 || serial > 99999 {
		return "", fmt.Errorf("register: organization serial %d out of range at office %s", serial, office)
	}
	return tin.NewOrganizationINN(office, int(serial))
}

// newForeignTIN builds 9909 + КИО + check digit (TIN-3).
func newForeignTIN(kio string) (string, error) {
	if !isDigits(kio, 5) {
		return "", fmt.Errorf("register: bad KIO %q", kio)
	}
	n, _ := strconv.Atoi(kio)
	return tin.NewForeignINN(n)
}

// newKPP builds office + reason + 3-digit serial (TIN-4).
func newKPP(office, reason string, serial int64) (string, error) {
	if serial < 1 || serial > 999 {
		return "", fmt.Errorf("register: KPP serial %d out of range at office %s", serial, office)
	}
	return tin.NewKPP(office, reason, int(serial))
}

// validReasonChars: two characters, each a digit or a Latin capital (TIN-4).
func validReasonChars(r string) bool {
	if len(r) != 2 {
		return false
	}
	for i := 0; i < 2; i++ {
		c := r[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// parseSNILS checks a СНИЛС (TIN-5), typed as 11 digits or "NNN-NNN-NNN NN", and returns its
// 11 digits, or the message saying what is wrong.
func parseSNILS(s string) (string, problem.Message, bool) {
	v, err := tin.ParseSNILS(s)
	if err != nil {
		return s, problem.Number(err), false
	}
	return v.Digits, problem.Message{}, true
}

// parseOGRN checks a 13-digit ОГРН (TIN-5).
func parseOGRN(s string) (string, problem.Message, bool) {
	v, err := tin.ParseOGRN(s)
	if err != nil {
		return s, problem.Number(err), false
	}
	return v.Digits, problem.Message{}, true
}

// validTIN reports whether s is a 10- or 12-digit TIN with valid check digits.
func validTIN(s string) bool {
	_, err := tin.ParseINN(s)
	return err == nil
}
