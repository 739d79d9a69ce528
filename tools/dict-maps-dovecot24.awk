# Writes the ledger's dict-sql maps in Dovecot 2.4's syntax (dict_map
# blocks inside dict_server { dict recall { } }) from the 2.3 file
# conf.d/dovecot-dict-recall-maps.conf.ext, the one source of the maps.
# Usage: awk -f tools/dict-maps-dovecot24.awk conf.d/dovecot-dict-recall-maps.conf.ext
/^[ \t]*#/ || /^[ \t]*$/ { if (!inmap) print; next }
/^map \{/ { inmap = 1; infields = 0; nkeys = 0; next }
inmap && /^[ \t]*fields \{/ { infields = 1; next }
inmap && infields && /^[ \t]*\}/ { infields = 0; next }
inmap && infields { keys[++nkeys] = $1; values[nkeys] = $3; next }
inmap && $1 == "pattern" { pattern = $3; next }
inmap && $1 == "table" { table = $3; next }
inmap && $1 == "value_field" { value = $3; next }
inmap && /^\}/ {
  print "dict_map " pattern " {"
  print "  sql_table = " table
  print "  value_field " value " {"
  print "  }"
  for (i = 1; i <= nkeys; i++) {
    print "  key_field " keys[i] " {"
    print "    value = " values[i]
    print "  }"
  }
  print "}"
  inmap = 0
  next
}
inmap { print "dict-maps-dovecot24.awk: unknown map line: " $0 > "/dev/stderr"; exit 1 }
{ print }
