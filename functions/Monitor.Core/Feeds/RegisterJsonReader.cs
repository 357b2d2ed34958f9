using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Monitor.Core.Feeds;

/// <summary>One JSON value of a register file: the parsed element, or why it could not be read.</summary>
internal sealed record RegisterJsonItem(string Location, JsonElement? Element, string? Error);

/// <summary>
/// Splits a JSON array or an NDJSON file into its top-level values without holding more than one of them.
/// A value is copied only up to <see cref="FeedLimits.MaxRecordBytes"/>; a bigger one is skipped byte by byte
/// and reported, so a single huge or broken record costs neither memory nor the rest of the file.
/// </summary>
internal static class RegisterJsonReader
{
    public static async IAsyncEnumerable<RegisterJsonItem> ReadArrayAsync(
        Stream stream,
        FeedLimits limits,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var input = new ByteInput(stream);
        var element = new ArrayBufferWriter<byte>();
        await input.SkipBomAsync(cancellationToken).ConfigureAwait(false);
        var first = await input.SkipWhitespaceAsync(cancellationToken).ConfigureAwait(false);
        if (first != '[')
        {
            throw new FeedFormatException("a JSON register must be an array of objects or NDJSON", "byte 0");
        }

        input.Next();
        for (var index = 0; ; index++)
        {
            var location = $"$[{index}]";
            var next = await input.SkipWhitespaceAsync(cancellationToken).ConfigureAwait(false);
            if (next == ']')
            {
                // An empty array, or a trailing comma that lenient exporters write.
                yield break;
            }

            if (next < 0)
            {
                yield return new RegisterJsonItem(location, null, "the file ends inside the array; the rest of the file is missing");
                yield break;
            }

            element.ResetWrittenCount();
            var value = await ReadValueAsync(input, element, limits, cancellationToken).ConfigureAwait(false);
            yield return value.Error is null ? Parse(location, element.WrittenSpan, limits) : new RegisterJsonItem(location, null, value.Error);
            if (value.Fatal)
            {
                yield break;
            }

            var after = await input.SkipWhitespaceAsync(cancellationToken).ConfigureAwait(false);
            input.Next();
            if (after == ']')
            {
                yield break;
            }

            if (after != ',')
            {
                var found = after < 0 ? "the end of the file" : $"'{(char)after}'";
                yield return new RegisterJsonItem($"$[{index + 1}]", null, $"expected ',' or ']' after {location} but found {found}; the rest of the file was not read");
                yield break;
            }
        }
    }

    public static async IAsyncEnumerable<RegisterJsonItem> ReadLinesAsync(
        Stream stream,
        FeedLimits limits,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var input = new ByteInput(stream);
        var line = new ArrayBufferWriter<byte>();
        await input.SkipBomAsync(cancellationToken).ConfigureAwait(false);
        for (var number = 1; ; number++)
        {
            line.ResetWrittenCount();
            var length = 0L;
            int b;
            while ((b = await input.PeekAsync(cancellationToken).ConfigureAwait(false)) >= 0 && b != '\n')
            {
                input.Next();
                if (++length <= limits.MaxRecordBytes)
                {
                    line.GetSpan(1)[0] = (byte)b;
                    line.Advance(1);
                }
            }

            input.Next();
            var location = $"line {number}";
            if (length > limits.MaxRecordBytes)
            {
                yield return new RegisterJsonItem(location, null, $"record is {length} bytes, larger than the limit of {limits.MaxRecordBytes}");
            }
            else if (!line.WrittenSpan.Trim(" \t\r"u8).IsEmpty)
            {
                yield return Parse(location, line.WrittenSpan, limits);
            }

            if (b < 0)
            {
                yield break;
            }
        }
    }

    private static RegisterJsonItem Parse(string location, ReadOnlySpan<byte> json, FeedLimits limits)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = limits.MaxJsonDepth });
            using var document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                return new RegisterJsonItem(location, null, "more than one JSON value");
            }

            if (JsonSurrogates.Check(json, document.RootElement) is { } notText)
            {
                return new RegisterJsonItem(location, null, notText);
            }

            return document.RootElement.ValueKind == JsonValueKind.Object
                ? new RegisterJsonItem(location, document.RootElement.Clone(), null)
                : new RegisterJsonItem(location, null, $"expected a JSON object, found {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
        }
        catch (JsonException e)
        {
            return new RegisterJsonItem(location, null, $"invalid JSON: {e.Message}");
        }
    }

    /// <summary>
    /// Copies one JSON value (object, array, string or literal) into <paramref name="output"/>, tracking strings and nesting
    /// so that separators inside strings are not mistaken for the end. Stops copying past the limit but keeps reading.
    /// </summary>
    private static async ValueTask<(string? Error, bool Fatal)> ReadValueAsync(ByteInput input, ArrayBufferWriter<byte> output, FeedLimits limits, CancellationToken cancellationToken)
    {
        var depth = 0;
        var maxDepth = 0;
        var inString = false;
        var escaped = false;
        var length = 0L;
        while (true)
        {
            var b = await input.PeekAsync(cancellationToken).ConfigureAwait(false);
            if (b < 0)
            {
                return ("the file ends inside this value; the rest of the file is missing", true);
            }

            if (!inString && depth == 0 && length > 0 && (b is ',' or ']' || IsWhitespace(b)))
            {
                break;
            }

            input.Next();
            if (++length <= limits.MaxRecordBytes)
            {
                output.GetSpan(1)[0] = (byte)b;
                output.Advance(1);
            }

            if (inString)
            {
                if (escaped)
                {
                    escaped = false;
                }
                else if (b == '\\')
                {
                    escaped = true;
                }
                else if (b == '"')
                {
                    inString = false;
                    if (depth == 0)
                    {
                        break;
                    }
                }

                continue;
            }

            switch (b)
            {
                case '"':
                    inString = true;
                    break;
                case '{' or '[':
                    maxDepth = Math.Max(maxDepth, ++depth);
                    break;
                case '}' or ']':
                    if (--depth < 0)
                    {
                        return ($"unexpected '{(char)b}'; the rest of the file was not read", true);
                    }

                    if (depth == 0)
                    {
                        return Checked(length, maxDepth, limits);
                    }

                    break;
            }
        }

        return Checked(length, maxDepth, limits);

        static (string?, bool) Checked(long length, int maxDepth, FeedLimits limits) =>
            length > limits.MaxRecordBytes ? ($"record is {length} bytes, larger than the limit of {limits.MaxRecordBytes}", false)
            : maxDepth > limits.MaxJsonDepth ? ($"record is nested {maxDepth} levels deep, deeper than the limit of {limits.MaxJsonDepth}", false)
            : (null, false);
    }

    private static bool IsWhitespace(int b) => b is ' ' or '\t' or '\r' or '\n';

    /// <summary>Buffered byte-at-a-time reading; the async path is taken only when the buffer runs dry.</summary>
    private sealed class ByteInput(Stream stream)
    {
        private readonly byte[] _buffer = new byte[1 << 16];
        private int _position;
        private int _length;

        public ValueTask<int> PeekAsync(CancellationToken cancellationToken) =>
            _position < _length ? ValueTask.FromResult<int>(_buffer[_position]) : FillAndPeekAsync(cancellationToken);

        public void Next()
        {
            if (_position < _length)
            {
                _position++;
            }
        }

        public async ValueTask SkipBomAsync(CancellationToken cancellationToken)
        {
            if (await PeekAsync(cancellationToken).ConfigureAwait(false) == 0xEF)
            {
                // Only a full EF BB BF is a BOM; anything else is left for the parser to reject.
                if (_length - _position >= 3 && _buffer[_position + 1] == 0xBB && _buffer[_position + 2] == 0xBF)
                {
                    _position += 3;
                }
            }
        }

        public async ValueTask<int> SkipWhitespaceAsync(CancellationToken cancellationToken)
        {
            int b;
            while (IsWhitespace(b = await PeekAsync(cancellationToken).ConfigureAwait(false)))
            {
                _position++;
            }

            return b;
        }

        private async ValueTask<int> FillAndPeekAsync(CancellationToken cancellationToken)
        {
            _position = 0;
            _length = await stream.ReadAtLeastAsync(_buffer, 3, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            return _length == 0 ? -1 : _buffer[0];
        }
    }
}
