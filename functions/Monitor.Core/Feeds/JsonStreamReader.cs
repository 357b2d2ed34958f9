using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Monitor.Core.Feeds;

/// <summary>
/// Streams a JSON file of any size with <see cref="Utf8JsonReader"/> over a pooled buffer, handing over only the values at
/// wanted paths, one at a time. Memory is bounded by <see cref="FeedLimits.MaxRecordBytes"/> (twice, while a record is
/// re-read after a refill). Everything else is skipped by a byte scanner that needs no memory at all, so a huge or deeply
/// nested part nobody asked for costs nothing. A wanted value that is too big, too deep or not valid JSON is reported
/// with its path and skipped; the reader then resynchronises after it. Only damage that hides where the value ends
/// (a file cut short, an unbalanced bracket outside records) ends the file, with a fatal item. NDJSON lines
/// (<see cref="ReadLinesAsync"/>) and the elements of a top-level array (<see cref="ReadElementsAsync"/>) are instead split
/// off first and each parsed alone.
/// </summary>
internal sealed class JsonStreamReader(Stream stream, FeedLimits limits) : IDisposable
{
    private const int ReadChunk = 64 * 1024;
    private static readonly SearchValues<byte> Structural = SearchValues.Create("\"{}[]"u8);
    private static readonly SearchValues<byte> StringSpecial = SearchValues.Create("\"\\"u8);
    private static readonly SearchValues<char> PlainName = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

    private readonly JsonReaderOptions _options = new() { MaxDepth = limits.MaxJsonDepth };
    private readonly List<Frame> _frames = [];
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(ReadChunk, limits.MaxRecordBytes) + ReadChunk);
    private int _pos;
    private int _len;
    private bool _eof;
    private long _discarded;
    private bool _started;
    private JsonReaderState _state;
    private JsonPathPattern[] _patterns = [];
    private bool[] _reached = [];
    private bool _rootStarted;
    private Skip _skip;
    private JsonStreamItem? _item;
    private PendingKind _pending;
    private long _recordStart = -1;

    private enum Next { Item, NeedData, Skip, Done }

    private enum PendingKind { Token, Value, Record }

    private enum SkipOutcome { Skipped, NoValue, EndOfFile }

    /// <summary>The kind of the file's top-level value (Undefined until reading starts, or when the file is not JSON).</summary>
    public JsonValueKind RootKind { get; private set; }

    /// <summary>
    /// Whether the reader reached the container that <paramref name="pattern"/>'s last segment points into
    /// (e.g. the "objects" array of <c>$.objects[*]</c>), even if it was empty.
    /// </summary>
    public bool Reached(JsonPathPattern pattern) => Array.IndexOf(_patterns, pattern) is var i and >= 0 && _reached[i];

    /// <summary>
    /// Yields every value whose path matches one of <paramref name="patterns"/> (at most 64), in file order.
    /// Values inside a yielded value are not matched again.
    /// </summary>
    public async IAsyncEnumerable<JsonStreamItem> ReadValuesAsync(IReadOnlyList<JsonPathPattern> patterns, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(patterns.Count, 64, nameof(patterns));
        BeginReading();
        _patterns = [.. patterns];
        _reached = new bool[_patterns.Length];
        _state = new JsonReaderState(_options);
        await StartAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = Step();
            if (next == Next.Done)
            {
                yield break;
            }

            if (next == Next.Item)
            {
                var item = _item!;
                _item = null;
                using (item)
                {
                    yield return item;
                }

                if (item.IsFatal)
                {
                    yield break;
                }

                continue;
            }

            // Refilling can meet a token too big to hold, and scanning past a value can reject it or meet the end of the file.
            var problem = next == Next.NeedData
                ? await PrepareMoreDataAsync(cancellationToken).ConfigureAwait(false)
                : await SkipValueAsync(cancellationToken).ConfigureAwait(false);
            if (problem is not null)
            {
                yield return problem;
                if (problem.IsFatal)
                {
                    yield break;
                }
            }
        }
    }

    /// <summary>
    /// Yields one value per non-blank line (NDJSON), with Path "line N". A line that is not JSON or longer than
    /// <see cref="FeedLimits.MaxRecordBytes"/> is an error item and the next line goes on. Only a first line that does not
    /// even start like JSON ('{' or '[') is fatal: then the file is not NDJSON at all.
    /// </summary>
    public async IAsyncEnumerable<JsonStreamItem> ReadLinesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BeginReading();
        await StartAsync(cancellationToken).ConfigureAwait(false);
        var lineNumber = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var newline = _buffer.AsSpan(_pos, _len - _pos).IndexOf((byte)'\n');
            if (newline < 0 && !_eof)
            {
                if (_len - _pos > limits.MaxRecordBytes)
                {
                    lineNumber++;
                    var offset = _discarded + _pos;
                    var size = await DiscardLineAsync(cancellationToken).ConfigureAwait(false);
                    yield return JsonStreamItem.ForProblem($"line {lineNumber}", offset, JsonStreamProblem.TooLarge, TooLarge(null), size: size);
                    continue;
                }

                await FillAsync(keepFrom: _pos, minFree: ReadChunk, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (newline < 0 && _pos == _len)
            {
                yield break;
            }

            var lineStart = _pos;
            var lineLength = newline < 0 ? _len - _pos : newline;
            _pos += newline < 0 ? lineLength : lineLength + 1;
            lineNumber++;
            var line = _buffer.AsMemory(lineStart, lineLength);
            var trimmed = line.Span.Trim(" \t\r"u8);
            if (trimmed.IsEmpty && lineLength <= limits.MaxRecordBytes)
            {
                // A blank line over the limit is reported like one that did not even fit the buffer.
                continue;
            }

            var location = $"line {lineNumber}";
            var lineOffset = _discarded + lineStart;
            if (RootKind == JsonValueKind.Undefined && !trimmed.IsEmpty && trimmed[0] is not ((byte)'{' or (byte)'['))
            {
                // The first line is not even the start of a JSON value: this is not NDJSON at all.
                yield return JsonStreamItem.ForProblem(location, lineOffset, JsonStreamProblem.NotJson, $"not JSON: the first line starts with '{FirstChar(trimmed)}'", fatal: true);
                yield break;
            }

            if (lineLength > limits.MaxRecordBytes)
            {
                yield return JsonStreamItem.ForProblem(location, lineOffset, JsonStreamProblem.TooLarge, TooLarge(lineLength), size: lineLength);
                continue;
            }

            using var item = ParseRecord(location, lineOffset, line, out var kind);

            // A broken first line that starts like JSON is one bad record, not a reason to drop the file.
            RootKind = RootKind != JsonValueKind.Undefined ? RootKind : kind == JsonValueKind.Undefined ? JsonValueKind.Object : kind;
            yield return item;
        }
    }

    /// <summary>
    /// Yields the elements of a top-level JSON array with Path "$[N]", each split off by the byte scanner and parsed alone,
    /// as <see cref="ReadLinesAsync"/> parses each line alone: depth counts from the element, a too large element is reported
    /// with its exact size, and a broken one costs only itself. Lenient as the exporters of such files: a trailing comma is
    /// accepted and nothing after the closing ']' is read. Damage between elements (a missing ',', a stray '}', the end of
    /// the file) ends the file, with a fatal item.
    /// </summary>
    public async IAsyncEnumerable<JsonStreamItem> ReadElementsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BeginReading();
        await StartAsync(cancellationToken).ConfigureAwait(false);
        if (await SkipBlanksAsync(cancellationToken).ConfigureAwait(false) != '[')
        {
            yield return JsonStreamItem.ForProblem("$", _discarded + _pos, JsonStreamProblem.NotJson, "not a JSON array", fatal: true);
            yield break;
        }

        _pos++;
        for (var index = 0; ; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = $"$[{index}]";
            var next = await SkipBlanksAsync(cancellationToken).ConfigureAwait(false);
            if (next == ']')
            {
                // An empty array, or a trailing comma.
                yield break;
            }

            if (next < 0)
            {
                yield return JsonStreamItem.ForProblem(path, _discarded + _pos, JsonStreamProblem.Truncated, "the file ends inside the array; the rest of the file is missing", fatal: true);
                yield break;
            }

            using (var item = await ReadElementAsync(path, cancellationToken).ConfigureAwait(false))
            {
                yield return item;
                if (item.IsFatal)
                {
                    yield break;
                }
            }

            var after = await SkipBlanksAsync(cancellationToken).ConfigureAwait(false);
            if (after == ']')
            {
                yield break;
            }

            if (after != ',')
            {
                var found = after < 0 ? "the end of the file" : $"'{(char)after}'";
                yield return JsonStreamItem.ForProblem($"$[{index + 1}]", _discarded + _pos, after < 0 ? JsonStreamProblem.Truncated : JsonStreamProblem.Unexpected, $"expected ',' or ']' after {path} but found {found}; the rest of the file was not read", fatal: true);
                yield break;
            }

            _pos++;
        }
    }

    public void Dispose()
    {
        _item?.Dispose();
        _item = null;
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private void BeginReading()
    {
        if (_started)
        {
            throw new InvalidOperationException("A JsonStreamReader reads its stream once.");
        }

        _started = true;
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        await FillAsync(keepFrom: 0, minFree: ReadChunk, cancellationToken).ConfigureAwait(false);
        if (_buffer.AsSpan(0, _len).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            _pos = 3;
        }
    }

    /// <summary>
    /// Splits off the array element at <see cref="_pos"/> and parses it alone. Bytes that open no string or container
    /// ('1', 'nul', a comment) run to a blank, ',' or ']'; a string or container that follows them is part of the element
    /// (so "/*c*/{...}" is one broken element, not many). Strings and containers are delimited by <see cref="ScanValueAsync"/>,
    /// and <see cref="RefillAsync"/> keeps the element in the buffer while it is within the limit.
    /// </summary>
    private async Task<JsonStreamItem> ReadElementAsync(string path, CancellationToken cancellationToken)
    {
        var start = _recordStart = _discarded + _pos;
        try
        {
            var (outcome, depth) = (SkipOutcome.Skipped, 0);
            for (var first = true; ; first = false)
            {
                if (_pos == _len)
                {
                    if (_eof)
                    {
                        outcome = SkipOutcome.EndOfFile;
                        break;
                    }

                    await RefillAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var b = _buffer[_pos];
                if (b is (byte)'{' or (byte)'[' or (byte)'"')
                {
                    (outcome, depth) = await ScanValueAsync(depth: 0, cancellationToken).ConfigureAwait(false);
                    break;
                }

                if (b == '}')
                {
                    return JsonStreamItem.ForProblem(path, _discarded + _pos, JsonStreamProblem.Unexpected, "unexpected '}'; the rest of the file was not read", fatal: true);
                }

                if (!first && b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)',' or (byte)']')
                {
                    break;
                }

                _pos++;
            }

            var size = _discarded + _pos - start;
            return outcome == SkipOutcome.EndOfFile
                ? JsonStreamItem.ForProblem(path, start, JsonStreamProblem.Truncated, "the file ends inside this value; the rest of the file is missing", fatal: true)
                : size > limits.MaxRecordBytes ? JsonStreamItem.ForProblem(path, start, JsonStreamProblem.TooLarge, TooLarge(size), size: size)
                : depth > limits.MaxJsonDepth ? JsonStreamItem.ForProblem(path, start, JsonStreamProblem.TooDeep, $"nested deeper than the limit of {limits.MaxJsonDepth} levels", depth: depth)
                : ParseRecord(path, start, _buffer.AsMemory((int)(start - _discarded), (int)size), out _);
        }
        finally
        {
            _recordStart = -1;
        }
    }

    /// <summary>Parses one record (a line or an array element) on its own, so depth and the error's position count from the record.</summary>
    private JsonStreamItem ParseRecord(string path, long offset, ReadOnlyMemory<byte> json, out JsonValueKind kind)
    {
        kind = JsonValueKind.Undefined;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = limits.MaxJsonDepth });
        }
        catch (JsonException ex)
        {
            return JsonStreamItem.ForProblem(path, offset, JsonStreamProblem.Syntax, $"not valid JSON: {WithoutPosition(ex)}", detail: ex.Message);
        }

        kind = document.RootElement.ValueKind;
        if (JsonSurrogates.Check(json.Span, document.RootElement) is { } notText)
        {
            document.Dispose();
            return JsonStreamItem.ForProblem(path, offset, JsonStreamProblem.NotText, notText);
        }

        return JsonStreamItem.ForValue(path, offset, null, [], document);
    }

    /// <summary>Skips blanks and returns the next byte, or -1 at the end of the file.</summary>
    private async Task<int> SkipBlanksAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var at = _buffer.AsSpan(_pos, _len - _pos).IndexOfAnyExcept(" \t\r\n"u8);
            if (at >= 0)
            {
                _pos += at;
                return _buffer[_pos];
            }

            _pos = _len;
            if (_eof)
            {
                return -1;
            }

            await FillAsync(keepFrom: _pos, minFree: ReadChunk, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Refills while scanning. Drops the bytes before the read position, except an array element being split off while it is
    /// within the limit: it is parsed from the buffer once its end is found (the room at least doubles, as in
    /// <see cref="PrepareMoreDataAsync"/>, so keeping it stays linear). Outside <see cref="ReadElementsAsync"/> there is none.
    /// </summary>
    private Task RefillAsync(CancellationToken cancellationToken)
    {
        var keepFrom = _recordStart >= 0 && _discarded + _pos - _recordStart <= limits.MaxRecordBytes ? (int)(_recordStart - _discarded) : _pos;
        return FillAsync(keepFrom, minFree: Math.Max(ReadChunk, _pos - keepFrom), cancellationToken);
    }

    /// <summary>
    /// Reads tokens from the buffered bytes until something needs the caller: a value to hand over, more bytes, or a part
    /// to skip by scanning. Synchronous because <see cref="Utf8JsonReader"/> cannot live across an await.
    /// </summary>
    private Next Step()
    {
        var start = _pos;
        var reader = new Utf8JsonReader(_buffer.AsSpan(_pos, _len - _pos), _eof, _state);
        while (true)
        {
            // Everything before this token is settled: a refill keeps the bytes from here.
            _pos = start + (int)reader.BytesConsumed;
            _state = reader.CurrentState;
            var top = _frames.Count > 0 ? _frames[^1] : null;

            if (top is null && _rootStarted)
            {
                try
                {
                    reader.Read();
                }
                catch (JsonException ex)
                {
                    return Fatal(ErrorPosition(reader, start), $"unexpected content after the end of the JSON value: {WithoutPosition(ex)}");
                }

                _pos = start + (int)reader.BytesConsumed;
                return _eof ? Next.Done : AwaitData(PendingKind.Token);
            }

            if (top is { IsArray: false, AwaitingValue: false })
            {
                try
                {
                    if (!reader.Read())
                    {
                        return AwaitData(PendingKind.Token);
                    }
                }
                catch (JsonException ex)
                {
                    return Fatal(ErrorPosition(reader, start), $"invalid JSON in {CurrentPath()}: {WithoutPosition(ex)}");
                }

                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    _frames.RemoveAt(_frames.Count - 1);
                    continue;
                }

                top.Property = PropertyName(ref reader);
                top.AwaitingValue = true;
                continue;
            }

            // A value comes next, or the end of the array.
            var (alive, wanted) = Match(top);
            var tokenStart = _pos;
            try
            {
                if (!reader.Read())
                {
                    return AwaitData(wanted is not null ? PendingKind.Record : PendingKind.Value);
                }
            }
            catch (JsonException ex)
            {
                if (wanted is not null && top is not null)
                {
                    // A broken record in a wanted array: report it and scan past it rather than give up the file.
                    BeginValue(top);
                    return RequestSkip(depth: 0, $"not valid JSON: {WithoutPosition(ex)}", wanted);
                }

                return Fatal(ErrorPosition(reader, start), $"invalid JSON in {CurrentPath()}: {WithoutPosition(ex)}");
            }

            if (top is { IsArray: true } && reader.TokenType == JsonTokenType.EndArray)
            {
                _frames.RemoveAt(_frames.Count - 1);
                continue;
            }

            BeginValue(top);
            if (top is null)
            {
                RootKind = KindOf(reader.TokenType);
            }

            if (wanted is not null)
            {
                var valueStart = start + (int)reader.TokenStartIndex;
                JsonDocument? document;
                try
                {
                    if (!JsonDocument.TryParseValue(ref reader, out document))
                    {
                        UndoBeginValue(top);
                        return AwaitData(PendingKind.Record);
                    }
                }
                catch (JsonException ex)
                {
                    _pos = tokenStart;
                    return RequestSkip(depth: 0, $"not valid JSON: {WithoutPosition(ex)}", wanted);
                }

                var valueEnd = start + (int)reader.BytesConsumed;
                _pos = valueEnd;
                _state = reader.CurrentState;
                var path = CurrentPath();
                if (valueEnd - valueStart > limits.MaxRecordBytes)
                {
                    document.Dispose();
                    _item = JsonStreamItem.ForError(path, _discarded + valueStart, TooLarge(valueEnd - valueStart), fatal: false, wanted, Indices());
                }
                else if (JsonSurrogates.Check(_buffer.AsSpan(valueStart, valueEnd - valueStart), document.RootElement) is { } notText)
                {
                    document.Dispose();
                    _item = JsonStreamItem.ForError(path, _discarded + valueStart, notText, fatal: false, wanted, Indices());
                }
                else
                {
                    _item = JsonStreamItem.ForValue(path, _discarded + valueStart, wanted, Indices(), document);
                }

                return Next.Item;
            }

            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                if (alive != 0)
                {
                    var frame = new Frame(reader.TokenType == JsonTokenType.StartArray, alive, (top?.SegmentCount ?? -1) + 1);
                    _frames.Add(frame);
                    MarkReached(frame);
                    continue;
                }

                // Nobody wants what is inside: scan past it without the reader.
                _pos = start + (int)reader.BytesConsumed;
                return RequestSkip(depth: 1, error: null, pattern: null);
            }

            // A primitive nobody wants: already consumed.
        }
    }

    /// <summary>Which patterns still match if the next value sits at the next position of <paramref name="top"/>, and the one it completes.</summary>
    private (ulong Alive, JsonPathPattern? Wanted) Match(Frame? top)
    {
        var position = top is null ? -1 : top.SegmentCount;
        var property = top is { IsArray: false } ? top.Property : null;
        ulong alive = 0;
        JsonPathPattern? wanted = null;
        for (var i = 0; i < _patterns.Length; i++)
        {
            var pattern = _patterns[i];
            var bit = 1UL << i;
            if (top is not null && ((top.Alive & bit) == 0 || !pattern.Accepts(position, property)))
            {
                continue;
            }

            // The value's path has position + 1 segments.
            if (pattern.Length == position + 1)
            {
                wanted ??= pattern;
            }
            else
            {
                alive |= bit;
            }
        }

        return (alive, wanted);
    }

    private void MarkReached(Frame frame)
    {
        for (var i = 0; i < _patterns.Length; i++)
        {
            if ((frame.Alive & (1UL << i)) != 0 && _patterns[i].Length == frame.SegmentCount + 1)
            {
                _reached[i] = true;
            }
        }
    }

    private void BeginValue(Frame? top)
    {
        if (top is null)
        {
            _rootStarted = true;
        }
        else if (top.IsArray)
        {
            top.Index++;
        }
        else
        {
            top.AwaitingValue = false;
        }
    }

    private void UndoBeginValue(Frame? top)
    {
        if (top is null)
        {
            _rootStarted = false;
        }
        else if (top.IsArray)
        {
            top.Index--;
        }
        else
        {
            top.AwaitingValue = true;
        }
    }

    private Next AwaitData(PendingKind pending)
    {
        _pending = pending;
        return Next.NeedData;
    }

    private Next RequestSkip(int depth, string? error, JsonPathPattern? pattern)
    {
        _skip = new Skip(depth, error, pattern, error is null ? "" : CurrentPath(), _discarded + _pos, error is null ? [] : Indices());
        return Next.Skip;
    }

    private Next Fatal(long offset, string reason)
    {
        _item = JsonStreamItem.ForError(_frames.Count == 0 && !_rootStarted ? "$" : CurrentPath(), offset, reason, fatal: true);
        return Next.Item;
    }

    private long ErrorPosition(Utf8JsonReader reader, int start) => _discarded + start + reader.BytesConsumed;

    /// <summary>
    /// Called when the reader ran out of bytes in the middle of a token or record. Refills the buffer, or decides that
    /// what is pending is too big to hold and must be scanned past instead.
    /// </summary>
    private async Task<JsonStreamItem?> PrepareMoreDataAsync(CancellationToken cancellationToken)
    {
        if (_eof)
        {
            // The reader reports truncation itself when told the block is final; this is a safety net.
            return JsonStreamItem.ForError(CurrentPath(), _discarded + _len, "the file ends before the JSON value does", fatal: true);
        }

        if (_len - _pos >= limits.MaxRecordBytes)
        {
            _pos += _buffer.AsSpan(_pos, _len - _pos).IndexOfAnyExcept(" \t\r\n"u8) is var blank and >= 0 ? blank : _len - _pos;
        }

        if (_len - _pos < limits.MaxRecordBytes)
        {
            // Re-reading a pending record from its start after each refill stays linear because each refill at least doubles it.
            await FillAsync(keepFrom: _pos, minFree: Math.Max(ReadChunk, _len - _pos), cancellationToken).ConfigureAwait(false);
            return null;
        }

        var top = _frames.Count > 0 ? _frames[^1] : null;
        switch (_pending)
        {
            case PendingKind.Record:
                BeginValue(top);
                var (_, wanted) = Match(top);
                _skip = new Skip(0, TooLarge(null), wanted, CurrentPath(), _discarded + _pos, Indices());
                return await SkipValueAsync(cancellationToken).ConfigureAwait(false);
            case PendingKind.Value when top is not null:
                BeginValue(top);
                _skip = new Skip(0, null, null, "", _discarded + _pos, []);
                return await SkipValueAsync(cancellationToken).ConfigureAwait(false);
            default:
                return JsonStreamItem.ForError(CurrentPath(), _discarded + _pos, $"a JSON token longer than the limit of {limits.MaxRecordBytes} bytes; the rest of the file was not read", fatal: true);
        }
    }

    /// <summary>
    /// Scans past the value described by <see cref="_skip"/> and resumes the reader after it. Returns the rejection of a
    /// wanted value that was skipped, or a fatal item when the file ends inside the value or the value cannot be delimited.
    /// </summary>
    private async Task<JsonStreamItem?> SkipValueAsync(CancellationToken cancellationToken)
    {
        var skip = _skip;
        var (outcome, maxDepth) = await ScanValueAsync(skip.Depth, cancellationToken).ConfigureAwait(false);
        if (outcome == SkipOutcome.EndOfFile)
        {
            var where = skip.Error is not null ? skip.Path : CurrentPath();
            return JsonStreamItem.ForError(where, skip.Offset, $"the file ends inside {where}; it is truncated or its brackets do not balance", fatal: true);
        }

        if (outcome == SkipOutcome.NoValue)
        {
            return JsonStreamItem.ForError(skip.Path.Length > 0 ? skip.Path : CurrentPath(), skip.Offset, $"{skip.Error ?? "invalid JSON"}; cannot find where the value ends, the rest of the file was not read", fatal: true);
        }

        ResumeAfterValue();
        if (skip.Error is null)
        {
            return null;
        }

        // Containers open above the value, plus the deepest nesting inside it.
        var reason = _frames.Count + maxDepth > limits.MaxJsonDepth
            ? $"nested deeper than the limit of {limits.MaxJsonDepth} levels"
            : skip.Error;
        return JsonStreamItem.ForError(skip.Path, skip.Offset, reason, fatal: false, skip.Pattern, skip.Indices);
    }

    /// <summary>
    /// Byte scanner that finds the end of a JSON value without parsing it: it tracks only strings, escapes and bracket
    /// depth, so it needs no memory whatever the size or nesting. <paramref name="depth"/> is how many of the value's
    /// brackets are already open (0 when the value has not started; a leading ',' or ':' is allowed then).
    /// </summary>
    private async Task<(SkipOutcome Outcome, int MaxDepth)> ScanValueAsync(int depth, CancellationToken cancellationToken)
    {
        var maxDepth = depth;
        var started = depth > 0;
        var primitive = false;
        var inString = false;
        var escaped = false;
        var separatorSeen = false;
        while (true)
        {
            if (_pos == _len)
            {
                if (_eof)
                {
                    return (primitive && depth == 0 ? SkipOutcome.Skipped : SkipOutcome.EndOfFile, maxDepth);
                }

                await RefillAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (inString)
            {
                if (escaped)
                {
                    escaped = false;
                    _pos++;
                    continue;
                }

                var special = _buffer.AsSpan(_pos, _len - _pos).IndexOfAny(StringSpecial);
                if (special < 0)
                {
                    _pos = _len;
                    continue;
                }

                _pos += special;
                if (_buffer[_pos++] == (byte)'\\')
                {
                    escaped = true;
                    continue;
                }

                inString = false;
                if (depth == 0)
                {
                    return (SkipOutcome.Skipped, maxDepth);
                }

                continue;
            }

            if (depth > 0)
            {
                var next = _buffer.AsSpan(_pos, _len - _pos).IndexOfAny(Structural);
                if (next < 0)
                {
                    _pos = _len;
                    continue;
                }

                _pos += next;
                switch (_buffer[_pos++])
                {
                    case (byte)'"':
                        inString = true;
                        break;
                    case (byte)'{' or (byte)'[':
                        maxDepth = Math.Max(maxDepth, ++depth);
                        break;
                    default:
                        if (--depth == 0)
                        {
                            return (SkipOutcome.Skipped, maxDepth);
                        }

                        break;
                }

                continue;
            }

            var b = _buffer[_pos];
            if (primitive)
            {
                if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)',' or (byte)':' or (byte)']' or (byte)'}')
                {
                    return (SkipOutcome.Skipped, maxDepth);
                }

                _pos++;
                continue;
            }

            switch (b)
            {
                case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n':
                    _pos++;
                    break;
                case (byte)',' or (byte)':' when !started && !separatorSeen:
                    separatorSeen = true;
                    _pos++;
                    break;
                case (byte)'"':
                    inString = true;
                    started = true;
                    _pos++;
                    break;
                case (byte)'{' or (byte)'[':
                    depth = 1;
                    maxDepth = Math.Max(maxDepth, 1);
                    started = true;
                    _pos++;
                    break;
                case (byte)'}' or (byte)']' or (byte)',' or (byte)':':
                    return (SkipOutcome.NoValue, maxDepth);
                default:
                    primitive = true;
                    started = true;
                    _pos++;
                    break;
            }
        }
    }

    /// <summary>
    /// After a value was scanned past, rebuilds the reader's state by reading a synthetic prefix that opens the same
    /// containers and ends with a value, so the reader goes on as if it had read the value itself.
    /// </summary>
    private void ResumeAfterValue()
    {
        var prefix = new StringBuilder();
        foreach (var frame in _frames)
        {
            prefix.Append(frame.IsArray ? "[" : "{\"k\":");
        }

        prefix.Append("\"\"");
        var bytes = Encoding.UTF8.GetBytes(prefix.ToString());
        var reader = new Utf8JsonReader(bytes, isFinalBlock: false, new JsonReaderState(_options));
        while (reader.Read())
        {
        }

        _state = reader.CurrentState;
    }

    /// <summary>Skips to the next line and returns how long the skipped line was, in bytes (without its '\n').</summary>
    private async Task<long> DiscardLineAsync(CancellationToken cancellationToken)
    {
        var start = _discarded + _pos;
        while (true)
        {
            var newline = _buffer.AsSpan(_pos, _len - _pos).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                _pos += newline + 1;
                return _discarded + _pos - 1 - start;
            }

            _pos = _len;
            if (_eof)
            {
                return _discarded + _pos - start;
            }

            await FillAsync(keepFrom: _pos, minFree: ReadChunk, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Drops the bytes before <paramref name="keepFrom"/>, makes room for at least <paramref name="minFree"/> more, and reads until the buffer is full or the stream ends.</summary>
    private async Task FillAsync(int keepFrom, int minFree, CancellationToken cancellationToken)
    {
        var kept = _len - keepFrom;
        if (_buffer.Length - kept < minFree)
        {
            var larger = ArrayPool<byte>.Shared.Rent(kept + minFree);
            _buffer.AsSpan(keepFrom, kept).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        else if (keepFrom > 0)
        {
            _buffer.AsSpan(keepFrom, kept).CopyTo(_buffer);
        }

        _discarded += keepFrom;
        _pos -= keepFrom;
        _len = kept;
        while (_len < _buffer.Length && !_eof)
        {
            var read = await stream.ReadAsync(_buffer.AsMemory(_len), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _eof = true;
            }

            _len += read;
        }
    }

    private string CurrentPath()
    {
        var path = new StringBuilder("$");
        foreach (var frame in _frames)
        {
            if (frame.IsArray)
            {
                path.Append('[').Append(Math.Max(frame.Index, 0)).Append(']');
            }
            else if (frame.Property is { } property)
            {
                AppendProperty(path, property);
            }
        }

        return path.ToString();
    }

    private static void AppendProperty(StringBuilder path, string property)
    {
        if (property.Length > 0 && property.AsSpan().IndexOfAnyExcept(PlainName) < 0)
        {
            path.Append('.').Append(property);
        }
        else
        {
            path.Append("['").Append(property.Replace("\\", "\\\\").Replace("'", "\\'")).Append("']");
        }
    }

    private int[] Indices()
    {
        var count = 0;
        foreach (var frame in _frames)
        {
            count += frame.IsArray ? 1 : 0;
        }

        var indices = new int[count];
        var i = 0;
        foreach (var frame in _frames)
        {
            if (frame.IsArray)
            {
                indices[i++] = frame.Index;
            }
        }

        return indices;
    }

    private string TooLarge(long? size) => size is { } bytes
        ? $"record is {bytes} bytes, larger than the limit of {limits.MaxRecordBytes} bytes"
        : $"record is larger than the limit of {limits.MaxRecordBytes} bytes";

    private static string FirstChar(ReadOnlySpan<byte> text) =>
        Encoding.UTF8.GetString(text[..Math.Min(text.Length, 4)]) is { Length: > 0 } head && !char.IsControl(head[0]) ? head[..1] : $"\\x{text[0]:X2}";

    /// <summary>A property name on the way to the wanted values; one that is not text (an unpaired surrogate escape) is kept as written, and matches no pattern.</summary>
    private static string PropertyName(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
        }
    }

    private static JsonValueKind KindOf(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => JsonValueKind.Object,
        JsonTokenType.StartArray => JsonValueKind.Array,
        JsonTokenType.String => JsonValueKind.String,
        JsonTokenType.Number => JsonValueKind.Number,
        JsonTokenType.True => JsonValueKind.True,
        JsonTokenType.False => JsonValueKind.False,
        JsonTokenType.Null => JsonValueKind.Null,
        _ => JsonValueKind.Undefined,
    };

    /// <summary>The reader's positions count from the buffer it was given, not from the file: drop them.</summary>
    internal static string WithoutPosition(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut < 0 ? message : message[..cut]).TrimEnd();
    }

    /// <summary>A container being walked on the way to wanted values.</summary>
    private sealed class Frame(bool isArray, ulong alive, int segmentCount)
    {
        public bool IsArray { get; } = isArray;

        /// <summary>Patterns that the path to this container still matches.</summary>
        public ulong Alive { get; } = alive;

        /// <summary>Segments in this container's own path ($ has none).</summary>
        public int SegmentCount { get; } = segmentCount;

        public string? Property { get; set; }

        public bool AwaitingValue { get; set; }

        public int Index { get; set; } = -1;
    }

    private readonly record struct Skip(int Depth, string? Error, JsonPathPattern? Pattern, string Path, long Offset, IReadOnlyList<int> Indices);
}
