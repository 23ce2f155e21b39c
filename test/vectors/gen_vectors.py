#!/usr/bin/env python3
"""Writes the IKEv2 codec vectors: test/vectors/NN-name.hex (hex text, '#'
comments) and the same bytes raw in test/vectors/seed/NN-name.bin for the
fuzzer.  Expectations live in test/check_v2_parse.c.  Messages with an SK
payload carry the inner payload chain as plaintext in the SK body (no IV,
no ICV): the test and the fuzzer feed sk_body to v2_parse_inner()."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SPI_I = 0x0102030405060708
SPI_R = 0x1112131415161718

SA, KE, IDI, IDR, CERT, CERTREQ, AUTH, NONCE, N, D, V, TSI, TSR, SK, CP, EAP = \
    33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48
SKF = 53
INIT, AUTHX, CHILD, INFO = 34, 35, 36, 37
F_I, F_R = 0x08, 0x20


def chain(pls):
    """pls: list of (type, body[, flags]); returns (first, bytes)."""
    out = b''
    for i, p in enumerate(pls):
        t, body = p[0], p[1]
        flags = p[2] if len(p) > 2 else 0
        nxt = pls[i + 1][0] if i + 1 < len(pls) else 0
        out += struct.pack('>BBH', nxt, flags, len(body) + 4) + body
    return (pls[0][0] if pls else 0), out


def msg(exch, flags, pls, spi_i=SPI_I, spi_r=None, msgid=None, version=0x20,
        length=None, first=None, tail=b''):
    if spi_r is None:
        spi_r = 0 if exch == INIT and not flags & F_R else SPI_R
    if msgid is None:
        msgid = 0 if exch == INIT else 1
    f, body = chain(pls)
    if first is not None:
        f = first
    body += tail
    n = 28 + len(body) if length is None else length
    return struct.pack('>QQBBBBII', spi_i, spi_r, f, version, exch, flags,
                       msgid, n) + body


def sk(inner, tail=b''):
    """SK payload whose body is the plaintext inner chain."""
    first, body = chain(inner)
    return first, body + tail


def msg_sk(exch, flags, inner, clear=(), sk_tail=b'', inner_first=None, **kw):
    first, body = sk(inner, sk_tail)
    if inner_first is not None:
        first = inner_first
    pls = list(clear) + [(SK, body)]
    f, out = chain(pls)
    # SK's next payload = first inner payload
    hdr_off = len(out) - len(body) - 4
    out = out[:hdr_off] + bytes([first]) + out[hdr_off + 1:]
    spi_r = kw.pop('spi_r', SPI_R)
    msgid = kw.pop('msgid', 1)
    return struct.pack('>QQBBBBII', SPI_I, spi_r, f, 0x20, exch, flags, msgid,
                       28 + len(out)) + out


def xf(t, i, attrs=b'', more=None):
    return (t, i, attrs, more)


def kl(bits):
    return struct.pack('>HH', 0x800e, bits)


def enc_xfs(xfs):
    out = b''
    for j, (t, i, attrs, more) in enumerate(xfs):
        if more is None:
            more = 3 if j + 1 < len(xfs) else 0
        out += struct.pack('>BBHBBH', more, 0, 8 + len(attrs), t, 0, i) + attrs
    return out


def prop(num, proto, spi, xfs, nxf=None, more=None, length=None, raw=None):
    return dict(num=num, proto=proto, spi=spi, xfs=xfs, nxf=nxf, more=more,
                length=length, raw=raw)


def sa(props):
    out = b''
    for j, p in enumerate(props):
        body = p['raw'] if p['raw'] is not None else enc_xfs(p['xfs'])
        nxf = len(p['xfs']) if p['nxf'] is None else p['nxf']
        more = p['more'] if p['more'] is not None else (2 if j + 1 < len(props) else 0)
        ln = 8 + len(p['spi']) + len(body) if p['length'] is None else p['length']
        out += struct.pack('>BBHBBBB', more, 0, ln, p['num'], p['proto'],
                           len(p['spi']), nxf) + p['spi'] + body
    return out


IKE_XFS = [xf(1, 12, kl(256)), xf(2, 5), xf(3, 12), xf(4, 19)]
ESP_XFS = [xf(1, 20, kl(256)), xf(5, 0)]
ESP_SPI = b'\xc0\x01\x02\x03'


def ike_sa(xfs=None, spi=b''):
    return sa([prop(1, 1, spi, IKE_XFS if xfs is None else xfs)])


def esp_sa(xfs=None, spi=ESP_SPI):
    return sa([prop(1, 3, spi, ESP_XFS if xfs is None else xfs)])


def ke(group=19, n=64, data=None):
    return struct.pack('>HH', group, 0) + (bytes(range(n)) if data is None else data)


def nonce(n=32):
    return bytes((i * 7) & 0xff for i in range(n))


def notify(t, proto=0, spi=b'', data=b''):
    return struct.pack('>BBH', proto, len(spi), t) + spi + data


def idp(t=2, data=b'gw1.example.net'):
    return struct.pack('>B3x', t) + data


def auth(data=bytes(32)):
    return struct.pack('>B3x', 2) + data


def ts4(lo='10.1.0.0', hi='10.1.255.255', proto=0, plo=0, phi=65535, t=7, ln=16,
        extra=b''):
    a = bytes(int(x) for x in lo.split('.'))
    b = bytes(int(x) for x in hi.split('.'))
    return struct.pack('>BBHHH', t, proto, ln, plo, phi) + a + b + extra


def tsp(sels, count=None):
    return struct.pack('>B3x', len(sels) if count is None else count) + b''.join(sels)


def delete(proto, spi_size, spis, n=None):
    return struct.pack('>BBH', proto, spi_size,
                       (len(spis) // spi_size if spi_size else 0) if n is None else n) + spis


NAT_I = (N, notify(16388, data=bytes(20)))
NAT_R = (N, notify(16389, data=bytes(20)))


def init_req(extra=(), sa_body=None, ke_body=None, ni=None, **kw):
    pls = [(SA, ike_sa() if sa_body is None else sa_body),
           (KE, ke() if ke_body is None else ke_body),
           (NONCE, nonce() if ni is None else ni), NAT_I, NAT_R] + list(extra)
    return msg(INIT, F_I, pls, **kw)


def auth_inner(sa_body=None, idi=None, extra=()):
    return [(IDI, idp() if idi is None else idi), (AUTH, auth()),
            (SA, esp_sa() if sa_body is None else sa_body),
            (TSI, tsp([ts4()])), (TSR, tsp([ts4('10.2.0.0', '10.2.255.255')]))] + list(extra)


def auth_req(inner=None, **kw):
    return msg_sk(AUTHX, F_I, auth_inner() if inner is None else inner, **kw)


def child_inner(extra=(), ni=None):
    return [(SA, esp_sa()), (NONCE, nonce() if ni is None else ni), (KE, ke()),
            (TSI, tsp([ts4()])), (TSR, tsp([ts4('10.2.0.0', '10.2.255.255')]))] + list(extra)


VECS = {}


def add(name, data):
    VECS[name] = data


# ---- valid messages ----
add('00-valid-sa-init', init_req())
add('00-valid-sa-init-resp', msg(INIT, F_R, [(SA, ike_sa()), (KE, ke()), (NONCE, nonce()),
                                             NAT_I, NAT_R]))
add('00-valid-cookie-resp', msg(INIT, F_R, [(N, notify(16390, data=bytes(16)))], spi_r=0))
add('00-valid-ike-auth', auth_req())
add('00-valid-ike-auth-resp', msg_sk(AUTHX, F_R, [(IDR, idp()), (AUTH, auth()), (SA, esp_sa()),
                                                  (TSI, tsp([ts4()])), (TSR, tsp([ts4()]))]))
add('00-valid-create-child', msg_sk(CHILD, F_I, child_inner(
    [(N, notify(16393, 3, ESP_SPI))])))
add('00-valid-informational', msg_sk(INFO, F_I, [(D, delete(3, 4, ESP_SPI + b'\xc0\x00\x00\x09'))]))
add('00-valid-dpd', msg_sk(INFO, F_I, []))

# ---- row 1, 2: framing ----
add('01-short', init_req()[:27])
add('01-keepalive', b'\xff')
m = init_req()
add('02-len-gt-datagram', m[:24] + struct.pack('>I', len(m) + 4) + m[28:])
add('02-len-lt-28', m[:24] + struct.pack('>I', 20) + m[28:])
add('02-trailing-bytes', m + b'\0\0\0\0')
add('02-huge', init_req(extra=[(V, bytes(65000))], length=0)[:65535])
# ---- row 3: versions and reserved bits ----
add('03-major-3', init_req(version=0x30))
add('03-minor-7', init_req(version=0x27))
add('03-reserved-flags', msg(INIT, F_I | 0xc7 | 0x10, [(SA, ike_sa()), (KE, ke()), (NONCE, nonce())]))
# ---- row 4, 5: header fields ----
add('04-resp-no-spir', msg(INIT, F_R, [(SA, ike_sa()), (KE, ke()), (NONCE, nonce())], spi_r=0))
add('05-spii-zero', init_req(spi_i=0))
add('05-spir-nonzero', init_req(spi_r=5))
add('05-msgid-nonzero', init_req(msgid=1))
add('05-exch-99', msg(99, F_I, [(NONCE, nonce())]))
add('05-auth-spir-zero', msg_sk(AUTHX, F_I, auth_inner(), spi_r=0))
# ---- row 6, 7: generic payload header ----
m = init_req()
first, body = chain([(SA, ike_sa()), (KE, ke()), (NONCE, nonce())])
bad = bytearray(body)
off = 4 + len(ike_sa())                     # KE generic header
struct.pack_into('>H', bad, off + 2, 3)
add('06-genlen-lt-4', msg(INIT, F_I, [], first=SA, tail=bytes(bad)))
bad = bytearray(body)
struct.pack_into('>H', bad, off + 2, 2000)
add('06-genlen-past-end', msg(INIT, F_I, [], first=SA, tail=bytes(bad)))
ib = bytearray(chain(auth_inner())[1])
struct.pack_into('>H', ib, 2, 2)
add('06-inner-genlen-lt-4', msg_sk(AUTHX, F_I, [], sk_tail=bytes(ib), inner_first=IDI))
add('07-bytes-after-chain', msg(INIT, F_I, [(SA, ike_sa()), (KE, ke()), (NONCE, nonce())],
                                tail=b'\0\0\0\0'))
bad = bytearray(body)
bad[4 + len(ike_sa()) + 4 + len(ke())] = 43   # Nonce's next = V, but nothing follows
add('07-next-at-end', msg(INIT, F_I, [], first=SA, tail=bytes(bad)))
# ---- row 8: payload floods ----
add('08-16k-vids-64k', msg(INIT, F_I, [(V, b'')] * 16370))
add('08-2400-unknown', msg(INIT, F_I, [(200, b'')] * 2400))
add('08-30-vids', init_req(extra=[(V, b'x')] * 30))
add('08-25-notifies', init_req(extra=[(N, notify(40000))] * 25))
# ---- row 9, 13: unknown payloads ----
add('09-unknown-noncritical', init_req(extra=[(200, b'abc')]))
add('09-unknown-critical', init_req(extra=[(200, b'abc', 0x80)]))
add('09-inner-unknown-critical', auth_req(auth_inner(extra=[(201, b'', 0x80)])))
add('09-critical-known-ok', init_req(extra=[(V, b'vid', 0x80)]))
add('13-ikev1-payload', init_req(extra=[(1, bytes(12)), (8, bytes(20))]))
add('13-ikev1-critical', init_req(extra=[(8, bytes(20), 0x80)]))
# ---- row 10, 11, 12: counts and placement ----
add('10-two-sa', init_req(extra=[(SA, ike_sa())]))
add('10-two-ke', init_req(extra=[(KE, ke())]))
add('10-two-ni', init_req(extra=[(NONCE, nonce())]))
add('10-two-auth', auth_req(auth_inner(extra=[(AUTH, auth())])))
add('10-two-tsi', auth_req(auth_inner(extra=[(TSI, tsp([ts4()]))])))
add('11-init-no-ke', msg(INIT, F_I, [(SA, ike_sa()), (NONCE, nonce())]))
add('11-init-no-ni', msg(INIT, F_I, [(SA, ike_sa()), (KE, ke())]))
add('11-auth-no-idi', auth_req(auth_inner()[1:]))
add('11-auth-no-auth', auth_req([auth_inner()[0]] + auth_inner()[2:]))
add('12-idi-in-init', init_req(extra=[(IDI, idp())]))
add('12-ts-in-init', init_req(extra=[(TSI, tsp([ts4()]))]))
add('12-cp-in-init', init_req(extra=[(CP, b'\x01\0\0\0')]))
add('12-auth-clear-beside-sk', msg_sk(AUTHX, F_I, auth_inner()[:1], clear=[(AUTH, auth())]))
add('12-delete-clear-beside-sk', msg_sk(INFO, F_I, [], clear=[(D, delete(1, 0, b''))]))
add('12-sk-not-last', msg_sk(AUTHX, F_I, auth_inner()) + b'')
m = bytearray(msg_sk(AUTHX, F_I, auth_inner()))
m += struct.pack('>BBH', 0, 0, 4)           # a payload after SK
struct.pack_into('>I', m, 24, len(m))
VECS['12-sk-not-last'] = bytes(m)
add('12-sk-in-init', msg_sk(INIT, F_I, [], spi_r=0, msgid=0))
add('12-sk-inside-sk', auth_req(auth_inner(extra=[(SK, b'')])))
# ---- row 14: SA framing ----
add('14-prop-len-lt-8', init_req(sa_body=sa([prop(1, 1, b'', IKE_XFS, length=7)])))
add('14-prop-len-past', init_req(sa_body=sa([prop(1, 1, b'', IKE_XFS, length=200)])))
add('14-prop-more-on-last', init_req(sa_body=sa([prop(1, 1, b'', IKE_XFS, more=2)])))
add('14-prop-last-not-last', init_req(sa_body=sa([prop(1, 1, b'', IKE_XFS, more=0),
                                                  prop(2, 1, b'', IKE_XFS)])))
add('14-prop-flag-invalid', init_req(sa_body=sa([prop(1, 1, b'', IKE_XFS, more=1)])))
add('14-xf-len-lt-8', init_req(sa_body=sa([prop(1, 1, b'', [], nxf=1,
                                                raw=struct.pack('>BBHBBH', 0, 0, 6, 1, 0, 12))])))
add('14-xf-last-early', init_req(sa_body=sa([prop(1, 1, b'', [xf(1, 12, kl(256), 0)] + IKE_XFS[1:])])))
add('14-xf-more-on-last', init_req(sa_body=sa([prop(1, 1, b'', IKE_XFS[:3] + [xf(4, 19, b'', 3)])])))
add('14-sa-empty', init_req(sa_body=b''))
# ---- row 15, 16: proposal sanity ----
add('15-prop-num-2', init_req(sa_body=sa([prop(2, 1, b'', IKE_XFS)])))
add('15-prop-num-gap', init_req(sa_body=sa([prop(1, 1, b'', IKE_XFS), prop(3, 1, b'', IKE_XFS)])))
add('15-proto-0', init_req(sa_body=sa([prop(1, 0, b'', IKE_XFS)])))
add('15-proto-4', init_req(sa_body=sa([prop(1, 4, b'', IKE_XFS)])))
add('15-zero-xf', init_req(sa_body=sa([prop(1, 1, b'', [])])))
add('15-count-gt', init_req(sa_body=sa([prop(1, 1, b'', IKE_XFS, nxf=5)])))
add('15-count-lt', init_req(sa_body=sa([prop(1, 1, b'', IKE_XFS, nxf=3)])))
add('15-second-good', init_req(sa_body=sa([prop(1, 0, b'', IKE_XFS), prop(2, 1, b'', IKE_XFS)])))
add('16-ike-spi-8-init', init_req(sa_body=sa([prop(1, 1, bytes(range(1, 9)), IKE_XFS)])))
add('16-esp-spi-3', auth_req(auth_inner(sa_body=esp_sa(spi=b'\1\2\3'))))
add('16-esp-spi-zero', auth_req(auth_inner(sa_body=esp_sa(spi=bytes(4)))))
add('16-spi-size-9', init_req(sa_body=sa([prop(1, 1, bytes(range(1, 10)), IKE_XFS)])))
# ---- row 17: maximal SA ----
big = [xf(1, 12, kl(256)), xf(2, 5), xf(3, 12), xf(4, 19)] + [xf(4, 1025 + i) for i in range(24)]
add('17-40x28', msg(INIT, F_I, [(SA, sa([prop(i + 1, 1, b'', big) for i in range(40)])),
                                (KE, ke()), (NONCE, nonce())]))
add('17-255-xf', init_req(sa_body=sa([prop(1, 1, b'', IKE_XFS + [xf(4, 19)] * 251)])))
add('17-255-props', init_req(sa_body=sa([prop(i + 1, 1, b'', []) for i in range(255)])))
# 255 x 255 transforms is 520 KB: no datagram can carry it; the first
# 64 KiB of it (SA length field truncated) stands in for it.
b = sa([prop(i + 1, 1, b'', [xf(4, 19)] * 255) for i in range(30)])
add('17-255x255-cut', (msg(INIT, F_I, [], first=SA, length=0,
                           tail=struct.pack('>BBH', 0, 0, 65535) + b))[:65535])
# ---- row 18: attributes ----
def init_xf0(x):
    return init_req(sa_body=sa([prop(1, 1, b'', [x] + IKE_XFS[1:])]))
add('18-keylen-tlv', init_xf0(xf(1, 12, struct.pack('>HHH', 0x000e, 2, 256))))
add('18-attr-past-xf', init_xf0(xf(1, 12, struct.pack('>HH', 0x000e, 100))))
add('18-attr-stray-byte', init_xf0(xf(1, 12, kl(256) + b'\x80')))
add('18-aes-no-keylen', init_xf0(xf(1, 12)))
add('18-aes-keylen-0', init_xf0(xf(1, 12, kl(0))))
add('18-aes-keylen-129', init_xf0(xf(1, 12, kl(129))))
add('18-unknown-attr', init_xf0(xf(1, 12, kl(256) + struct.pack('>HH', 0x8063, 1))))
add('18-keylen-on-3des', init_xf0(xf(1, 3, kl(192))))
add('18-bad-then-good', init_req(sa_body=sa([prop(1, 1, b'', [xf(1, 12, kl(129))] + IKE_XFS)])))
# ---- row 19: transform combinations ----
add('19-ike-no-dh', init_req(sa_body=ike_sa(IKE_XFS[:3])))
add('19-ike-no-prf', init_req(sa_body=ike_sa([IKE_XFS[0], IKE_XFS[2], IKE_XFS[3]])))
add('19-aead-plus-integ', auth_req(auth_inner(sa_body=esp_sa([xf(1, 20, kl(256)), xf(3, 12)]))))
add('19-cbc-no-integ', auth_req(auth_inner(sa_body=esp_sa([xf(1, 12, kl(128))]))))
add('19-gmac-with-aes', auth_req(auth_inner(sa_body=esp_sa([xf(1, 12, kl(128)), xf(3, 9)]))))
add('19-aead-and-cbc', auth_req(auth_inner(sa_body=esp_sa([xf(1, 20, kl(256)), xf(1, 12, kl(128)),
                                                           xf(3, 12)]))))
# ---- row 20: private-use IDs ----
add('20-private-ids', init_req(sa_body=ike_sa([xf(1, 1030), xf(1, 12, kl(128)), xf(2, 5), xf(3, 12),
                                               xf(4, 1025), xf(4, 19)]), ke_body=ke(1025, 32)))
add('20-private-encr-with-gcm', auth_req(auth_inner(sa_body=esp_sa([xf(1, 1030), xf(1, 20, kl(256)),
                                                                   xf(5, 0)]))))
# ---- KE length field, row 24: nonce ----
add('22-ke-empty', init_req(ke_body=ke(19, 0)))
add('22-ke-short-header', init_req(ke_body=b'\0\x13\0'))
add('22-ke-too-long', init_req(ke_body=ke(14, 1100, bytes(1100))))
add('24-nonce-15', init_req(ni=nonce(15)))
add('24-nonce-257', init_req(ni=nonce(257)))
add('24-nonce-16', init_req(ni=nonce(16)))
add('24-nonce-256', init_req(ni=nonce(256)))
add('24-inner-nonce-15', msg_sk(CHILD, F_I, child_inner(ni=nonce(15))))
# ---- row 26: notify and delete fields ----
def child_n(n):
    return msg_sk(CHILD, F_I, child_inner([(N, n)]))
add('26-rekey-proto-1', child_n(notify(16393, 1, ESP_SPI)))
add('26-rekey-proto-9', child_n(notify(16393, 9, ESP_SPI)))
add('26-rekey-spi-3', child_n(notify(16393, 3, b'\1\2\3')))
add('26-rekey-proto-0-no-spi', child_n(notify(16393, 0, b'')))
add('26-notify-spi-past', child_n(struct.pack('>BBH', 3, 40, 16393) + b'\1\2'))
add('26-unknown-notify', child_n(notify(40000, 0, b'', b'junk')))
add('26-delete-proto-9', msg_sk(INFO, F_I, [(D, delete(9, 4, ESP_SPI))]))
add('26-delete-proto-0', msg_sk(INFO, F_I, [(D, delete(0, 0, b''))]))
add('26-delete-spi-3', msg_sk(INFO, F_I, [(D, delete(3, 3, b'\1\2\3'))]))
add('26-delete-count-gt', msg_sk(INFO, F_I, [(D, delete(3, 4, ESP_SPI, n=2))]))
add('26-delete-ike-with-spi', msg_sk(INFO, F_I, [(D, delete(1, 8, bytes(8)))]))
add('26-delete-esp-none', msg_sk(INFO, F_I, [(D, delete(3, 4, b'', n=0))]))
add('26-five-deletes', msg_sk(INFO, F_I, [(D, delete(3, 4, ESP_SPI))] * 5))
# ---- row 27: clear payloads in protected exchanges ----
add('27-auth-in-clear', msg(AUTHX, F_I, auth_inner()))
add('27-child-in-clear', msg(CHILD, F_I, child_inner()))
add('27-info-in-clear', msg(INFO, F_I, [(N, notify(24))]))
add('27-info-empty-clear', msg(INFO, F_I, []))
add('27-unknown-beside-sk', msg_sk(INFO, F_I, [], clear=[(200, b'')]))
# ---- row 33: traffic selectors ----
def auth_ts(tsi):
    return auth_req([(IDI, idp()), (AUTH, auth()), (SA, esp_sa()), (TSI, tsi),
                     (TSR, tsp([ts4()]))])
add('33-ts-count-gt', auth_ts(tsp([ts4()], count=2)))
add('33-ts-count-lt', auth_ts(tsp([ts4(), ts4()], count=1)))
add('33-ts-len-20', auth_ts(tsp([ts4(ln=20, extra=bytes(4))])))
add('33-ts-len-lt-4', auth_ts(tsp([struct.pack('>BBH', 7, 0, 2)])))
add('33-ts-unknown-type', auth_ts(tsp([ts4(t=9)])))
add('33-ts-start-gt-end', auth_ts(tsp([ts4('10.9.0.0', '10.1.0.0')])))
add('33-ts-zero', auth_ts(tsp([])))
add('33-ts-opaque-ports', auth_ts(tsp([ts4(plo=65535, phi=0)])))
add('33-ts-40-sels', auth_ts(tsp([ts4()] * 40)))
# ---- row 34: identification ----
add('34-id-unknown-type', auth_req(auth_inner(idi=idp(99, b'abc'))))
add('34-id-empty', auth_req(auth_inner(idi=idp(2, b''))))
add('34-id-fqdn-nul', auth_req(auth_inner(idi=idp(2, b'gw\0evil.example'))))
add('34-id-fqdn-ctrl', auth_req(auth_inner(idi=idp(2, b'gw\x1b[2Jx'))))
add('34-id-fqdn-300', auth_req(auth_inner(idi=idp(2, b'a' * 300))))
add('34-id-ipv4-5', auth_req(auth_inner(idi=idp(1, b'\1\2\3\4\5'))))
add('34-id-short', auth_req(auth_inner(idi=b'\2\0\0')))
add('34-id-der-dn', auth_req(auth_inner(idi=idp(9, b'\x30\x03\x02\x01\x01'))))
# ---- row 36, 37: fragments ----
add('36-skf-in-auth', msg(AUTHX, F_I, [(SKF, struct.pack('>HH', 1, 2) + bytes(32))], first=SKF))
add('37-skf-in-init', msg(INIT, F_I, [(SKF, struct.pack('>HH', 1, 1) + bytes(32))]))
add('37-skf-inside-sk', auth_req(auth_inner(extra=[(SKF, struct.pack('>HH', 1, 1))])))


def main():
    seed = os.path.join(HERE, 'seed')
    os.makedirs(seed, exist_ok=True)
    for name, data in sorted(VECS.items()):
        with open(os.path.join(HERE, name + '.hex'), 'w') as f:
            f.write('# %s: %d bytes (generated by gen_vectors.py)\n' % (name, len(data)))
            for i in range(0, len(data), 32):
                f.write(data[i:i + 32].hex() + '\n')
        with open(os.path.join(seed, name + '.bin'), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
