package ui

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2/lang"
)

// rescueMessages say, for each of Rescue's documented answers and the app's own codes, what
// happened and what to do, in one line. The keys of lang.L are the English texts.
var rescueMessages = map[string]func() string{
	"NOTECHCONSOLERUNNING": func() string {
		return lang.L("The Rescue Technician Console is not running: start it, then try again.")
	},
	"NOTLOGGEDIN": func() string { return lang.L("Rescue no longer knows this sign-in. Please sign in to Rescue again.") },
	"NOTTECHNICIAN": func() string {
		return lang.L("This Rescue account is not a technician, so it cannot create PIN codes.")
	},
	"OUTOFPINCODES": func() string {
		return lang.L("Rescue has no PIN codes left for your account. Ask your Rescue administrator.")
	},
	"POLLRATEEXCEEDED": func() string {
		return lang.L("PIN codes were asked for too quickly. Wait a few seconds, then try again.")
	},
	"INVALID_SECRETAUTHCODE": func() string {
		return lang.L("Your Rescue sign-in was replaced or revoked. Please sign in to Rescue again.")
	},
	"USER_IS_DELETED": func() string {
		return lang.L("This Rescue account has been deleted. Sign in with another account.")
	},
	"USER_DELETED_OR_DISABLED": func() string {
		return lang.L("This Rescue account is deleted or disabled. Sign in with another account.")
	},
	"ERROR":                func() string { return lang.L("Rescue could not do it (unspecified error). Try again.") },
	"INVALID":              func() string { return lang.L("Rescue did not accept these credentials.") },
	"INVALIDPARAM_COMPANY": func() string { return lang.L("The Rescue company ID in the settings is not a number.") },
	"LIMITREACHED":         func() string { return lang.L("Too many sign-in attempts. Wait a few minutes, then try again.") },
	CodeSignInRequired:     func() string { return lang.L("Please sign in to Rescue.") },
	CodeCaseNotSaved: func() string {
		return lang.L("This case is not saved in Dynamics yet, so a session could not be linked to it.")
	},
}

// RescueMessage is the one-line message for a Rescue problem, in the app's language.
func RescueMessage(e *RescueError) string {
	switch e.Code {
	case CodeLostReply:
		return fmt.Sprintf(lang.L("Rescue created session %d but its answer was lost. Its PIN is in your Technician Console; no second PIN was asked for."), e.SessionID)
	case CodeUnreachable:
		return fmt.Sprintf(lang.L("Rescue could not be reached: %s"), e.Detail)
	}
	if msg, ok := rescueMessages[e.Code]; ok {
		return msg()
	}
	return fmt.Sprintf(lang.L("Rescue answered %s."), e.Code)
}

// rescueProblem is the message for any error from the Rescue side.
func rescueProblem(err error) string {
	var re *RescueError
	if errors.As(err, &re) {
		return RescueMessage(re)
	}
	return err.Error()
}

// needsRescueSignIn reports an error after which the technician must sign in to Rescue again.
func needsRescueSignIn(err error) bool {
	var re *RescueError
	if !errors.As(err, &re) {
		return false
	}
	switch re.Code {
	case CodeSignInRequired, "NOTLOGGEDIN", "INVALID_SECRETAUTHCODE", "USER_IS_DELETED", "USER_DELETED_OR_DISABLED":
		return true
	}
	return false
}
