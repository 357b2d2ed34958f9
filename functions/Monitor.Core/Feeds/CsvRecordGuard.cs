using System.Buffers;

namespace Monitor.Core.Feeds;

/// <summary>
/// A <see cref="TextReader"/> between the decoded feed and Sep that bounds the size of one record.
/// Sep buffers a whole row before it yields it, so an unterminated quote would make it buffer the
/// rest of the file (up to its 16 M character ceiling). The guard follows the same quote-parity rule
/// as Sep, and when one record grows past the limit it reports end of input: Sep then yields the rows
/// it holds plus the truncated one, and <see cref="SkipRestOfLineAsync"/> moves past the bad line so
/// a fresh Sep reader can carry on with the rest of the file.
/// </summary>
internal sealed class CsvRecordGuard : TextReader
{
    private static readonly SearchValues<char> Specials = SearchValues.Create("\"\r\n");

    private readonly TextReader _inner;
    private readonly int _maxRecordChars;
    private char[] _buffer;
    private int _position;
    private int _length;
    private bool _innerEnded;

    private bool _inQuotes;
    private bool _lastWasCr;
    private bool _atLineStart = true;
    private bool _atRecordStart = true;
    private int _recordChars;
    private int _recordStartLine = 1;

    /// <param name="inner">The decoded feed, already advanced past <paramref name="prefix"/>.</param>
    /// <param name="prefix">Characters read ahead (to sniff the header) that must still be served first.</param>
    /// <param name="firstLine">The file line number of the first character of <paramref name="prefix"/>.</param>
    public CsvRecordGuard(TextReader inner, string prefix, int maxRecordChars, int firstLine = 1)
    {
        Line = firstLine;
        _recordStartLine = firstLine;
        _inner = inner;
        _maxRecordChars = maxRecordChars;
        _buffer = new char[Math.Max(1 << 14, prefix.Length)];
        prefix.CopyTo(_buffer);
        _length = prefix.Length;
    }

    /// <summary>Physical line (1-based) of the next character to be served.</summary>
    public int Line { get; private set; }

    /// <summary>Set when a record passed the limit; its first line is <see cref="TruncatedLine"/>.</summary>
    public bool Truncated { get; private set; }

    public int TruncatedLine { get; private set; }

    /// <summary>When the input has ended inside a quoted field: the line where that last record starts.</summary>
    public int? UnterminatedQuoteLine => _innerEnded && _position == _length && _inQuotes ? _recordStartLine : null;

    public override int Read(Span<char> buffer)
    {
        if (Truncated || buffer.IsEmpty)
        {
            return 0;
        }

        if (_position == _length && !Fill())
        {
            return 0;
        }

        return Serve(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
    {
        if (Truncated || buffer.IsEmpty)
        {
            return 0;
        }

        if (_position == _length && !await FillAsync(cancellationToken).ConfigureAwait(false))
        {
            return 0;
        }

        return Serve(buffer.Span);
    }

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override Task<int> ReadAsync(char[] buffer, int index, int count) =>
        ReadAsync(buffer.AsMemory(index, count)).AsTask();

    public override int Read()
    {
        Span<char> one = stackalloc char[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    public override int Peek() => -1;

    /// <summary>
    /// After a truncation: discards input up to and including the next line break, and resets the quote state,
    /// so that the following line is read as the start of a new record. Returns false at end of input.
    /// </summary>
    public async ValueTask<bool> SkipRestOfLineAsync(CancellationToken cancellationToken)
    {
        Truncated = false;
        _inQuotes = false;
        _atRecordStart = true;
        _recordChars = 0;
        while (true)
        {
            if (_position == _length && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            var window = _buffer.AsSpan(_position, _length - _position);
            if (_atLineStart)
            {
                // A '\n' straight after a '\r' belongs to the same line break.
                if (_lastWasCr)
                {
                    _lastWasCr = false;
                    if (window[0] == '\n')
                    {
                        _position++;
                        continue;
                    }
                }

                return true;
            }

            var found = window.IndexOfAny('\r', '\n');
            if (found < 0)
            {
                _position = _length;
                continue;
            }

            _position += found + 1;
            Line++;
            _atLineStart = true;
            _lastWasCr = window[found] == '\r';
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private bool Fill()
    {
        if (_innerEnded)
        {
            return false;
        }

        ShrinkBuffer();
        _position = 0;
        _length = _inner.Read(_buffer);
        _innerEnded = _length == 0;
        return !_innerEnded;
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_innerEnded)
        {
            return false;
        }

        ShrinkBuffer();
        _position = 0;
        _length = await _inner.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        _innerEnded = _length == 0;
        return !_innerEnded;
    }

    private void ShrinkBuffer()
    {
        // The first buffer may have been sized for a long header; later reads need no more than the default.
        if (_buffer.Length > 1 << 14)
        {
            _buffer = new char[1 << 14];
        }
    }

    /// <summary>Copies available characters into <paramref name="destination"/>, tracking records, and cuts at the limit.</summary>
    private int Serve(Span<char> destination)
    {
        var available = _buffer.AsSpan(_position, Math.Min(destination.Length, _length - _position));
        var served = 0;
        while (served < available.Length)
        {
            if (_atRecordStart)
            {
                _atRecordStart = false;
                _recordStartLine = Line;
            }

            var rest = available[served..];
            var next = rest.IndexOfAny(Specials);
            var plain = next < 0 ? rest.Length : next;
            if (_recordChars + plain > _maxRecordChars)
            {
                var fits = Math.Max(0, _maxRecordChars - _recordChars);
                served += fits;
                _atLineStart &= fits == 0;
                Truncated = true;
                TruncatedLine = _recordStartLine;
                break;
            }

            _recordChars += plain;
            served += plain;
            if (plain > 0)
            {
                _lastWasCr = false;
                _atLineStart = false;
            }

            if (next < 0)
            {
                break;
            }

            var c = rest[next];
            served++;
            if (c == '"')
            {
                _inQuotes = !_inQuotes;
                _recordChars++;
                _lastWasCr = false;
                _atLineStart = false;
                continue;
            }

            // '\r', '\n' and "\r\n" each end one line, as Sep counts them.
            if (c == '\r' || !_lastWasCr)
            {
                Line++;
            }

            _lastWasCr = c == '\r';
            _atLineStart = true;
            if (_inQuotes)
            {
                _recordChars++;
            }
            else
            {
                _recordChars = 0;
                _atRecordStart = true;
            }
        }

        available[..served].CopyTo(destination);
        _position += served;
        return served;
    }
}
