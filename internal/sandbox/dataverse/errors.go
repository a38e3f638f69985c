package dataverse

import (
	"fmt"
	"net/http"
)

// Error codes put in error.code. Dataverse fills it with the hex code of the platform error.
const (
	codeQuery        = "0x80060888" // OData URL, query option, method or body errors (ODataLib)
	codeNotFound     = "0x80040217" // ObjectDoesNotExist
	codeConcurrency  = "0x80060882" // ConcurrencyVersionMismatch
	codeDuplicate    = "0x80040237" // DuplicateRecord
	codeDuplicateKey = "0x80060892" // DuplicateRecordEntityKey
	codeInvalidArg   = "0x80040203" // InvalidArgument
	codeAuth         = "0x8006088a" // the sandbox's code for a request without a valid bearer token
	codeNotMember    = "0x80072560" // the user is not a member of the organisation
	codeNotSupported = "0x8006088b" // the sandbox's code for a request it does not implement
)

// odataError is an error answered as {"error":{"code":…,"message":…}}.
type odataError struct {
	status  int
	code    string
	message string
}

func (e *odataError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func newError(status int, code, format string, args ...any) *odataError {
	return &odataError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *odataError {
	return newError(http.StatusBadRequest, codeQuery, format, args...)
}

func invalidArgument(format string, args ...any) *odataError {
	return newError(http.StatusBadRequest, codeInvalidArg, format, args...)
}

func notFoundByID(entity, id string) *odataError {
	return newError(http.StatusNotFound, codeNotFound, "%s With Id = %s Does Not Exist", entity, id)
}

func notFoundByKey(entity string) *odataError {
	return newError(http.StatusNotFound, codeNotFound, "A record with the specified key values does not exist in %s entity", entity)
}

func resourceNotFound(segment string) *odataError {
	return newError(http.StatusNotFound, codeQuery, "Resource not found for the segment '%s'.", segment)
}

func unknownProperty(t *table, name string) *odataError {
	return badRequest("Could not find a property named '%s' on type '%s'.", name, t.typeName())
}

func versionMismatch() *odataError {
	return newError(http.StatusPreconditionFailed, codeConcurrency,
		"The version of the existing record doesn't match the RowVersion property provided.")
}

func duplicateRecord() *odataError {
	return newError(http.StatusPreconditionFailed, codeDuplicate, "A record with matching key values already exists.")
}

func notImplemented(what string) *odataError {
	return newError(http.StatusNotImplemented, codeNotSupported, "The sandbox does not implement %s.", what)
}

func methodNotAllowed(method, segment string) *odataError {
	return newError(http.StatusMethodNotAllowed, codeQuery,
		"The HTTP method '%s' is not allowed on the resource '%s'.", method, segment)
}

// writeError answers with the error object. Error bodies carry no @odata.context, as Dataverse's do not.
func writeError(w http.ResponseWriter, e *odataError) {
	body := object{{"error", object{{"code", e.code}, {"message", e.message}}}}
	writeJSON(w, e.status, body)
}
