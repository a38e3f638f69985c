package rescue

import (
	"strings"
	"unicode"

	"github.com/rescuecompanion/rescue-companion/internal/textmatch"
)

// SessionStatus is a session's status in a canonical form. The service sends it as text in the
// account's language; StatusText (on Session and ReportRow) keeps what it sent.
type SessionStatus string

// Session statuses: one for each text of the API guide's list (D14), which is also what the
// service's reports use.
const (
	StatusConnecting              SessionStatus = "Connecting"
	StatusWaiting                 SessionStatus = "Waiting"
	StatusActive                  SessionStatus = "Active"
	StatusOnHold                  SessionStatus = "OnHold"
	StatusTransferring            SessionStatus = "Transferring"
	StatusTransferred             SessionStatus = "Transferred"
	StatusReconnecting            SessionStatus = "Reconnecting"
	StatusRebooting               SessionStatus = "Rebooting"
	StatusRebooted                SessionStatus = "Rebooted"
	StatusOffline                 SessionStatus = "Offline" // created for a technician whose console was not running
	StatusNotAvailable            SessionStatus = "NotAvailable"
	StatusClosedByTechnician      SessionStatus = "ClosedByTechnician"
	StatusClosedByCustomer        SessionStatus = "ClosedByCustomer"
	StatusClosedByWaitingCustomer SessionStatus = "ClosedByWaitingCustomer"
	StatusClosedByActiveCustomer  SessionStatus = "ClosedByActiveCustomer"
	StatusTimedOut                SessionStatus = "TimedOut"
	StatusTimedOutByTechnician    SessionStatus = "TimedOutByTechnician" // "Timed out: closed by technician"
	StatusAborted                 SessionStatus = "Aborted"
	StatusDisconnected            SessionStatus = "Disconnected"
	StatusUnknown                 SessionStatus = "Unknown"
)

// Closed reports whether the status is final: the session has ended and will not change again.
// A transferred session goes on with another technician, so Transferred is not final.
func (s SessionStatus) Closed() bool {
	switch s {
	case StatusClosedByTechnician, StatusClosedByCustomer, StatusClosedByWaitingCustomer,
		StatusClosedByActiveCustomer, StatusTimedOut, StatusTimedOutByTechnician, StatusAborted,
		StatusDisconnected:
		return true
	}
	return false
}

// statusTexts are the texts each status is known by, in every language seen: English from the API
// guide (D14), French as the sandbox and the French help file write them (feminine, agreeing with
// "session", and the masculine too), Portuguese from the one live sample (C8) and its obvious
// siblings. They are compared folded (see foldText).
var statusTexts = map[SessionStatus][]string{
	StatusConnecting:   {"Connecting", "Connexion en cours", "Conectando"},
	StatusWaiting:      {"Waiting", "En attente", "Aguardando", "Em espera"},
	StatusActive:       {"Active", "Actif", "Ativo", "Ativa"},
	StatusOnHold:       {"On Hold", "En pause"},
	StatusTransferring: {"Transferring", "Transfert en cours", "Transferindo"},
	StatusTransferred:  {"Transferred", "Transférée", "Transféré", "Transferido", "Transferida"},
	StatusReconnecting: {"Reconnecting", "Reconnexion en cours", "Reconectando"},
	StatusRebooting:    {"Rebooting", "Redémarrage en cours", "Reiniciando"},
	StatusRebooted:     {"Rebooted", "Redémarrée", "Redémarré", "Reiniciado", "Reiniciada"},
	StatusOffline:      {"Offline", "Hors ligne"},
	StatusNotAvailable: {"Not available", "Non disponible", "Indisponible", "Não disponível"},
	StatusClosedByTechnician: {
		"Closed by technician", "Fermée par le technicien", "Fermé par le technicien",
		"Encerrado pelo técnico", "Encerrada pelo técnico",
	},
	StatusClosedByCustomer: {
		"Closed by customer", "Fermée par le client", "Fermé par le client",
		"Encerrado pelo cliente", "Encerrada pelo cliente",
	},
	StatusClosedByWaitingCustomer: {
		"Closed by waiting customer", "Fermée par le client en attente", "Fermé par le client en attente",
		"Encerrado pelo cliente em espera", "Encerrada pelo cliente em espera",
	},
	StatusClosedByActiveCustomer: {
		"Closed by active customer", "Fermée par le client actif", "Fermé par le client actif",
		"Encerrado pelo cliente ativo", "Encerrada pelo cliente ativo",
	},
	StatusTimedOut: {"Timed out", "Expirée", "Expiré", "Tempo esgotado", "Expirado", "Expirada"},
	StatusTimedOutByTechnician: {
		"Timed out: closed by technician", "Expirée : fermée par le technicien",
		"Expiré : fermé par le technicien", "Tempo esgotado: encerrado pelo técnico",
		"Expirado: encerrado pelo técnico",
	},
	StatusAborted:      {"Aborted", "Abandonnée", "Abandonné", "Abortado"},
	StatusDisconnected: {"Disconnected", "Déconnectée", "Déconnecté", "Desconectado", "Desconectada"},
}

// soapStatuses maps the SOAP bStatus names (rescue-api.md §5.1) that a future text form might carry.
var soapStatuses = map[string]SessionStatus{
	"SESSION_STARTING":                      StatusConnecting,
	"SESSION_CONNECTING":                    StatusConnecting,
	"SESSION_WAITING":                       StatusWaiting,
	"SESSION_OFFLINE":                       StatusOffline,
	"SESSION_PICKEDUP":                      StatusActive,
	"SESSION_ONHOLD":                        StatusOnHold,
	"SESSION_REBOOTING":                     StatusRebooting,
	"SESSION_CLOSEDBYCUSTOMER":              StatusClosedByCustomer,
	"SESSION_CLOSEDBYTECHNICIAN":            StatusClosedByTechnician,
	"SESSION_CLOSEDBYWAITINGCUSTOMER":       StatusClosedByWaitingCustomer,
	"SESSION_CLOSEDBYACTIVECUSTOMER":        StatusClosedByActiveCustomer,
	"SESSION_TRANSFERINGBUTNOTPICKEDUP":     StatusTransferring,
	"SESSION_WAITINGTIMEOUT_PICKEDUP":       StatusTimedOut,
	"SESSION_WAITINGTIMEOUT_NOTPICKEDUP":    StatusTimedOut,
	"SESSION_SYSTEMTIMEOUT_PICKEDUP":        StatusTimedOut,
	"SESSION_SYSTEMTIMEOUT_NOTPICKEDUP":     StatusTimedOut,
	"SESSION_TIMEOUT_SESSIONIDLETECHSIDE":   StatusTimedOutByTechnician,
	"SESSION_CONNECTIONPROBLEM":             StatusDisconnected,
	"SESSION_ABORTED_TECHDELETEDORDISABLED": StatusAborted,
}

// statusByText is statusTexts inverted, keyed by folded text.
var statusByText = func() map[string]SessionStatus {
	m := map[string]SessionStatus{}
	for st, texts := range statusTexts {
		for _, t := range texts {
			m[foldText(t)] = st
		}
	}
	return m
}()

// ParseSessionStatus maps a status text, in any language known, to its canonical status, ignoring
// case, accents and punctuation; StatusUnknown when the text is not known.
func ParseSessionStatus(text string) SessionStatus {
	if st, ok := soapStatuses[strings.ToUpper(strings.TrimSpace(text))]; ok {
		return st
	}
	if st, ok := statusByText[foldText(text)]; ok {
		return st
	}
	return StatusUnknown
}

// foldText lowers case, drops accents, and turns every run of punctuation and space into one space,
// so that "Expirée : fermée" and "expiree: fermee" compare equal.
func foldText(s string) string {
	var b strings.Builder
	space := false
	for _, r := range textmatch.Fold(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		space = true
	}
	return b.String()
}

// yesWords are "yes" in the languages Rescue accounts use; the tables localise their yes/no cells.
var yesWords = map[string]bool{"yes": true, "oui": true, "sim": true, "ja": true, "si": true, "true": true, "1": true}

// parseYes reads a localised yes/no cell: yes, oui, sim, ja, sí (and true, 1) are true; anything
// else is false.
func parseYes(s string) bool { return yesWords[foldText(s)] }
