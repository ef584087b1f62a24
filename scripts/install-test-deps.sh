#!/usr/bin/env bash
# Installs the third-party programs the integration tests and benchmarks drive:
# swaks, python3, msmtp, Postfix (peer, smtp-source, smtp-sink), Dovecot (IMAP, LMTP),
# php-cli, openssl, PostgreSQL (private initdb clusters for the several-nodes tests), python3-dkim (+ python3-nacl for ed25519) and opendkim-tools (independent
# DKIM verifiers and signers), publicsuffix (the DMARC organisational-domain list), promtool (package prometheus;
# the service is never started), and nodemailer under tests/interop/node.
# Idempotent and non-interactive. The system's own postfix/dovecot services are
# never left running: tests start private instances (postfix -c DIR, dovecot -c FILE).
# Fast path: when every binary is present, apt-get is not run at all.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DEBIAN_FRONTEND=noninteractive

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# package -> a file that proves it is installed
declare -A PROBES=(
  [swaks]=/usr/bin/swaks
  [msmtp]=/usr/bin/msmtp
  [postfix]=/usr/sbin/postfix
  [dovecot-core]=/usr/sbin/dovecot
  [dovecot-imapd]=/usr/lib/dovecot/imap
  [dovecot-lmtpd]=/usr/lib/dovecot/lmtp
  [php-cli]=/usr/bin/php
  [openssl]=/usr/bin/openssl
  [ca-certificates]=/etc/ssl/certs/ca-certificates.crt
  [libnet-ssleay-perl]=/usr/lib/x86_64-linux-gnu/perl5/5.36/Net/SSLeay.pm
  [libio-socket-ssl-perl]=/usr/share/perl5/IO/Socket/SSL.pm
  [libauthen-sasl-perl]=/usr/share/perl5/Authen/SASL.pm
  [libphp-phpmailer]=/usr/share/php/libphp-phpmailer/autoload.php
  [python3-dkim]=/usr/lib/python3/dist-packages/dkim/__init__.py
  [python3-nacl]=/usr/lib/python3/dist-packages/nacl/__init__.py
  [python3-authres]=/usr/lib/python3/dist-packages/authres/__init__.py
  [opendkim-tools]=/usr/sbin/opendkim-testmsg
  [publicsuffix]=/usr/share/publicsuffix/public_suffix_list.dat
  [prometheus]=/usr/bin/promtool
  [chromium]=/usr/bin/chromium
  [chromium-driver]=/usr/bin/chromedriver
  [postgresql]=/usr/lib/postgresql/15/bin/initdb
  # content filters (tests start private instances; the services are never started)
  [python3-milter]=/usr/lib/python3/dist-packages/Milter/__init__.py
  [opendkim]=/usr/sbin/opendkim
  [rspamd]=/usr/bin/rspamd
  # the Debian package's test (packaging/test-deb.sh)
  [lintian]=/usr/bin/lintian
)

missing=()
for pkg in "${!PROBES[@]}"; do
  if [ ! -e "${PROBES[$pkg]}" ] && ! dpkg -s "$pkg" >/dev/null 2>&1; then missing+=("$pkg"); fi
done
# smtp-source/smtp-sink ship in the postfix package under /usr/sbin on Debian.
if [ ! -x /usr/sbin/smtp-source ] && [[ ! " ${missing[*]-} " =~ " postfix " ]]; then missing+=(postfix); fi
if ! command -v python3 >/dev/null 2>&1; then missing+=(python3); fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi

stop_system_services() {
  # The packages' postinst may try to start the services. Stop anything that runs on
  # the system configuration (never a private instance: those have their own -c DIR).
  if [ -x /usr/sbin/postfix ] && [ -f /etc/postfix/main.cf ]; then
    if $SUDO /usr/sbin/postfix status >/dev/null 2>&1; then
      echo "install-test-deps: stopping the system postfix the package started"
      $SUDO /usr/sbin/postfix stop >/dev/null 2>&1 || true
    fi
  fi
  if [ -x /usr/sbin/dovecot ] && [ -f /etc/dovecot/dovecot.conf ]; then
    local pidfile=/run/dovecot/master.pid
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "install-test-deps: stopping the system dovecot the package started"
      $SUDO /usr/sbin/dovecot -c /etc/dovecot/dovecot.conf stop >/dev/null 2>&1 || true
    fi
  fi
  # postgresql's postinst creates and starts the cluster 15/main; tests run private clusters (initdb into a temp dir).
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters --no-header 2>/dev/null | while read -r ver name _port status _rest; do
      if [ "$status" = online ]; then
        echo "install-test-deps: stopping the system PostgreSQL cluster $ver/$name the package started"
        $SUDO pg_ctlcluster "$ver" "$name" stop >/dev/null 2>&1 || true
      fi
    done
  fi
}

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-test-deps: installing ${missing[*]}"
  # Forbid service starts during the install (policy-rc.d exit 101), unless one is already there.
  added_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    added_policy=1
  fi
  trap '[ "$added_policy" = 1 ] && $SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
  echo "postfix postfix/mailname string localhost" | $SUDO debconf-set-selections
  # apt-get update only when the lists are missing or older than a day.
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  fi
  $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
  stop_system_services
else
  echo "install-test-deps: system packages already present"
fi
stop_system_services

# "No configuration" leaves /etc/postfix/main.cf absent; postfix(1) and the smtp-* tools
# read it for defaults even with -c, so give it an inert one (no listener is ever started
# from it: the system service stays stopped).
if [ ! -f /etc/postfix/main.cf ] && [ -f /usr/share/postfix/main.cf.debian ]; then
  $SUDO cp /usr/share/postfix/main.cf.debian /etc/postfix/main.cf
fi

# nodemailer for the interop tests, when npm works here.
NODE_DIR="$ROOT/tests/interop/node"
if command -v npm >/dev/null 2>&1 && [ -f "$NODE_DIR/package.json" ]; then
  if [ ! -d "$NODE_DIR/node_modules/nodemailer" ]; then
    echo "install-test-deps: npm ci in tests/interop/node"
    (cd "$NODE_DIR" && { npm ci --no-audit --no-fund --silent || npm install --no-audit --no-fund --silent; }) \
      || echo "install-test-deps: npm failed; nodemailer tests will skip" >&2
  fi
fi

echo "install-test-deps: ok"
