// Package policy reads the settings IT manages for a fleet and lays them over the user's own.
//
// A policy value overrides the user's setting and locks it: the settings screen shows the field
// as managed and read-only. Precedence is policy > the user's config.toml > defaults. Each
// platform keeps the policy where its management tools write:
//
//   - Windows: values under HKEY_LOCAL_MACHINE\SOFTWARE\Policies\RescueCompanion, written by
//     Group Policy or Intune through packaging/policy/RescueCompanion.admx, or by the MSI from
//     its public properties (DYNAMICS_URL, TENANT_ID, …). Strings are REG_SZ, numbers and
//     booleans REG_DWORD (booleans 0 or 1). Value names match without regard to case, as the
//     registry does.
//   - macOS: managed preferences of the domain com.rescuecompanion.app, i.e.
//     /Library/Managed Preferences/com.rescuecompanion.app.plist for the machine and
//     /Library/Managed Preferences/<user>/com.rescuecompanion.app.plist for one user, written
//     when a configuration profile is installed (packaging/policy/*.mobileconfig). Keys are the
//     registry value names, case sensitive.
//   - Linux and other Unix systems: /etc/rescue-companion/policy.toml, with the keys of
//     config.toml ([dynamics] url = …).
//
// One table (Settings) maps each contract key to its registry value name and plist key, its
// type and its MSI property. The ADMX template, the sample profile, the sample policy.toml and
// the README follow it, and the tests hold them to it. Secrets never come from policy: the
// Rescue auth code and the SSO password are not settings at all, and sandbox.ca_file is not
// managed because the sandbox is for trying the app, not for a fleet.
//
// Choices where nothing outside decides:
//   - On macOS the per-user file wins over the machine's, name by name: the user scope is the more
//     specific one and macOS looks there first. The user is the process's own (from its uid).
//   - Managed preferences may be XML or binary property lists. XML is read with encoding/xml;
//     a binary file is converted with /usr/bin/plutil, which every Mac has. Keys starting with
//     "Payload" (a profile's own bookkeeping) are skipped.
//   - The sample profile uses Apple's documented managed preferences payload (PayloadType
//     com.apple.ManagedClient.preferences, the settings under Forced / mcx_preference_settings
//     of the domain), which MDMs take as an uploaded custom profile. The undocumented short
//     form, whose PayloadType is the domain itself, writes the same file and works as well.
//   - Windows reads HKLM only (the ADMX policies are class="Machine"), through the 64-bit view.
//   - A name that is not a setting is an error in every source, not only in policy.toml: a typo
//     would otherwise leave a setting silently unmanaged. So update the app before deploying a
//     newer template.
//   - Text that is empty or only spaces counts as not set, in every source. An MSI property or a
//     Group Policy text box left blank writes exactly that, and locking a field to nothing would
//     only fail validation. Strings are trimmed.
//   - A value is accepted in its own type or as the same value in text ("1", "true", "20"); a
//     number is accepted for text (a company ID typed as an integer) and for a boolean when it
//     is 0 or 1. Anything else is an error naming the source, the name and the value.
//   - Load fails closed: an unreadable or malformed policy is an error, never "no policy".
package policy
