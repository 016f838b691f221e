#!/bin/sh
# Creates a throw-away certificate authority and certificates for local TLS testing, with
# the openssl command line only (no make, no weft build):
#
#   scripts/tls-test-certs.sh DIR
#
# DIR/ca.pem            the test CA (give it to clients: curl --cacert DIR/ca.pem)
# DIR/server.pem, .key  CN=localhost, names localhost, 127.0.0.1 and ::1
# DIR/other.pem, .key   names other.test and *.other.test (a second certificate for SNI)
# DIR/client.pem, .key  CN=weft-client, a client certificate signed by the CA (mTLS)
# DIR/rogue-client.pem, .key  a client certificate from another CA, which the server rejects
#
# Keys are P-256; everything is valid for 30 days. Never use these outside tests.
set -eu
dir=${1:?usage: tls-test-certs.sh DIR}
days=30
mkdir -p "$dir"
cd "$dir"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# ca NAME CN: a self-signed CA.
ca() {
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -out "$1.pem" -days "$days" -subj "/CN=$2" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

# leaf NAME CN CA EXTENSIONS: a certificate signed by CA.
leaf() {
  key "$1.key"
  printf '%s\n' "$4" > "$1.ext"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -out "$1.pem" -days "$days" \
    -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

ca ca "weft test CA"
ca rogue-ca "another CA"
leaf server localhost ca "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
extendedKeyUsage=serverAuth"
leaf other other.test ca "subjectAltName=DNS:other.test,DNS:*.other.test
extendedKeyUsage=serverAuth"
leaf client weft-client ca "extendedKeyUsage=clientAuth"
leaf rogue-client rogue-client rogue-ca "extendedKeyUsage=clientAuth"
rm -f ./*.srl
echo "test certificates in $dir (CA: $dir/ca.pem)"
