#!/usr/bin/perl
# ws-echo.pl - a WebSocket (RFC 6455) echo server run as a CGI program with the upgrade enabled
# (lighttpd/lightgate: cgi.upgrade = 1; SCGI/FastCGI through scgi-cgi/fcgi-cgi with "upgrade" => 1).
# The server hands over the handshake in the CGI environment; after our "Status: 101" head the client's raw
# frames arrive on stdin and whatever we print goes back to the client unchanged. Every message is echoed
# as one frame of its type, pings are answered, and each protocol violation closes with its RFC code.
# Perl 5.36 core modules only. Env WS_ECHO_MAX_MESSAGE: the largest message in bytes (default 16 MiB + 1 KiB).
use v5.36;    # strict, warnings, signatures, and ^. as the string XOR
use Digest::SHA qw(sha1_base64);
use Encode ();
use MIME::Base64 qw(decode_base64);

use constant GUID => '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';    # RFC 6455 section 1.3
use constant READ_SIZE => 256 * 1024;
my $MAX_MESSAGE = ($ENV{WS_ECHO_MAX_MESSAGE} // '') =~ /\A[0-9]+\z/ ? $ENV{WS_ECHO_MAX_MESSAGE}
    : 16 * 1024 * 1024 + 1024;

# A server that stops reading our stdout must not kill us with SIGPIPE mid-write; put() exits instead.
$SIG{PIPE} = 'IGNORE';

# Writes all of $bytes to stdout, unbuffered: the server forwards each write to the client as it comes.
sub put ($bytes) {
    while (length $bytes) {
        my $n = syswrite STDOUT, $bytes;
        if (!defined $n) {
            next if $!{EINTR};
            print STDERR "ws-echo: write: $!\n";
            exit 1;    # the server is gone: nobody left to answer
        }
        substr($bytes, 0, $n, '');
    }
}

# A CGI head; Status: 204 and 400 end the program (the server sends the response, no tunnel follows).
sub refuse ($status, $why, @headers) {
    put(join '', "Status: $status\r\n", map("$_\r\n", @headers),
        length $why ? ("Content-Type: text/plain\r\n\r\n", "$why\n") : "\r\n");
    exit 0;
}

# --- Handshake (RFC 6455 section 4.2.1), from the request headers the server put in the environment ---
my $upgrade = $ENV{HTTP_UPGRADE} // '';
# A plain GET (or the server stripped Upgrade because upgrades are off): nothing to echo, like the seed's
# ws_echo.py. A browser opening the URL gets an empty answer rather than an error.
refuse(204, '') if $upgrade eq '';
refuse(400, 'Upgrade must be websocket') unless $upgrade =~ /\A\s*websocket\s*\z/i;
refuse(400, 'a WebSocket handshake is a GET') unless ($ENV{REQUEST_METHOD} // '') eq 'GET';
my $key = $ENV{HTTP_SEC_WEBSOCKET_KEY} // '';
$key =~ s/\A\s+|\s+\z//g;
# 16 random bytes in base64 are 22 characters and "=="; decode_base64 alone skips stray characters.
refuse(400, 'Sec-WebSocket-Key must be 16 bytes in base64')
    unless $key =~ m{\A[A-Za-z0-9+/]{22}==\z} && length decode_base64($key) == 16;
refuse(400, 'Sec-WebSocket-Version must be 13', 'Sec-WebSocket-Version: 13')
    unless ($ENV{HTTP_SEC_WEBSOCKET_VERSION} // '') =~ /\A\s*13\s*\z/;
put("Status: 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    . 'Sec-WebSocket-Accept: ' . sha1_base64($key . GUID) . "=\r\n\r\n");    # sha1_base64 omits the padding

# --- Frames out: always unmasked (section 5.1), the length in its shortest form ---
sub send_frame ($opcode, $payload) {
    my $n = length $payload;
    my $head = $n < 126 ? pack('CC', 0x80 | $opcode, $n)
        : $n < 65536 ? pack('CCn', 0x80 | $opcode, 126, $n)
        : pack('CCQ>', 0x80 | $opcode, 127, $n);
    put($head . $payload);
}

# Fails the connection (section 7.1.7): a close frame with the code and a short reason, then exit; the server
# closes the client's connection once our stdout ends.
sub fail ($code, $why) {
    send_frame(8, pack('n', $code) . $why);
    exit 0;
}

# --- UTF-8 (RFC 3629) checked incrementally, so a text message fails at the first bad fragment ---
# The start of a well-formed sequence cut off at the end of a fragment; anything else left over is invalid.
my $PARTIAL = qr/\A(?: [\xC2-\xDF] | \xE0[\xA0-\xBF]? | [\xE1-\xEC\xEE\xEF][\x80-\xBF]? | \xED[\x80-\x9F]?
    | \xF0(?:[\x90-\xBF][\x80-\xBF]?)? | [\xF1-\xF3](?:[\x80-\xBF]{1,2})? | \xF4(?:[\x80-\x8F][\x80-\xBF]?)? )?\z/x;

# Appends $bytes to the text checked so far; $$pending holds a cut-off sequence between calls. False when
# the bytes cannot be UTF-8 whatever follows. Perl's lax decoder is fast and stops at the first malformed or
# cut-off sequence (overlongs included); what it accepts beyond RFC 3629 (surrogates, code points over
# U+10FFFF) is caught on the decoded characters.
sub utf8_continues ($pending, $bytes) {
    my $rest = $$pending . $bytes;
    my $chars = Encode::decode('utf8', $rest, Encode::FB_QUIET);    # leaves the undecoded tail in $rest
    return 0 if $chars =~ /[^\x{0}-\x{D7FF}\x{E000}-\x{10FFFF}]/;
    return 0 unless $rest =~ $PARTIAL;
    $$pending = $rest;
    return 1;
}

# Close codes a peer may send (section 7.4 and the IANA registry): 1004-1006 and 1015 are reserved.
sub valid_close_code ($code) {
    return ($code >= 1000 && $code <= 1003) || ($code >= 1007 && $code <= 1014) || ($code >= 3000 && $code <= 4999);
}

# The client closed: answer with its code (section 5.5.1) and end; an empty close is answered empty.
sub close_received ($payload) {
    if (length $payload == 0) {
        send_frame(8, '');
        exit 0;
    }
    fail(1002, 'close payload of 1 byte') if length $payload == 1;
    my $code = unpack 'n', $payload;
    fail(1002, "invalid close code $code") unless valid_close_code($code);
    my $pending = '';
    fail(1007, 'close reason is not UTF-8') unless utf8_continues(\$pending, substr $payload, 2) && $pending eq '';
    send_frame(8, pack 'n', $code);
    exit 0;
}

# --- Frames in ---
my $buf = '';          # bytes read and not yet consumed: frames may arrive split anywhere, or several at once
my $wanted = 0;        # bytes of $buf the frame at its start needs, once its header is known
my $message_op = 0;    # opcode of the fragmented message in progress (1 text, 2 binary), 0 for none
my $message = '';      # its payload so far
my $utf8_pending = ''; # its cut-off UTF-8 sequence, for text

# The next complete frame at the start of $buf as (fin, opcode, unmasked payload), removed from $buf, or an
# empty list until more bytes arrive. Header violations fail at once, before their payload is read.
sub take_frame () {
    return if length $buf < 2;
    my ($b0, $b1) = unpack 'CC', $buf;
    my ($fin, $op, $len, $at) = ($b0 >> 7, $b0 & 0x0F, $b1 & 0x7F, 2);
    fail(1002, 'reserved bits set') if $b0 & 0x70;    # no extension was negotiated
    fail(1002, "reserved opcode $op") if ($op > 2 && $op < 8) || $op > 10;
    fail(1002, 'client frames must be masked') unless $b1 & 0x80;
    if ($op >= 8) {
        fail(1002, 'fragmented control frame') unless $fin;
        fail(1002, 'control frame over 125 bytes') if $len > 125;
    } elsif ($op == 0) {
        fail(1002, 'continuation without a message') unless $message_op;
    } else {
        fail(1002, 'new message inside a fragmented one') if $message_op;
    }
    if ($len == 126) {
        return if length $buf < 4;
        ($len, $at) = (unpack('x2 n', $buf), 4);
    } elsif ($len == 127) {
        return if length $buf < 10;
        fail(1002, 'length over 2^63') if ord(substr $buf, 2, 1) & 0x80;
        ($len, $at) = (unpack('x2 Q>', $buf), 10);
    }
    # Checked on the header, so an oversized message is refused without buffering it.
    fail(1009, "message over $MAX_MESSAGE bytes") if $op < 8 && length($message) + $len > $MAX_MESSAGE;
    $wanted = $at + 4 + $len;
    return if length $buf < $wanted;
    my $mask = substr $buf, $at, 4;
    my $payload = substr $buf, $at + 4, $len;
    substr($buf, 0, $wanted, '');
    $wanted = 0;
    $payload ^.= substr($mask x ($len / 4 + 1), 0, $len);    # unmask (section 5.3)
    return ($fin, $op, $payload);
}

sub frame_received ($fin, $op, $payload) {
    if ($op == 9) { send_frame(10, $payload); return }    # ping: pong with its payload
    return if $op == 10;                                   # pong: nothing to answer
    close_received($payload) if $op == 8;
    ($message_op, $message, $utf8_pending) = ($op, '', '') if $op != 0;    # first frame of a message
    fail(1007, 'text is not UTF-8') if $message_op == 1 && !utf8_continues(\$utf8_pending, $payload);
    return $message .= $payload unless $fin;
    fail(1007, 'text ends inside a UTF-8 sequence') if length $utf8_pending;
    # A whole message in one frame is echoed without copying it into $message first.
    send_frame($message_op, $op != 0 ? $payload : $message . $payload);
    ($message_op, $message) = (0, '');
}

while (1) {
    while (my @frame = take_frame()) {
        frame_received(@frame);
    }
    # Read at least what the frame being assembled still needs, so a large frame grows $buf once.
    my $size = $wanted > length($buf) + READ_SIZE ? $wanted - length $buf : READ_SIZE;
    my $n = sysread STDIN, $buf, $size, length $buf;
    if (!defined $n) {
        next if $!{EINTR};
        print STDERR "ws-echo: read: $!\n";
        exit 1;
    }
    exit 0 if $n == 0;    # stdin ended: the server closed the tunnel (the client went away)
}
