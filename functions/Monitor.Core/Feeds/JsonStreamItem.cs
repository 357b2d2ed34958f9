using System.Text.Json;

namespace Monitor.Core.Feeds;

/// <summary>
/// One value a <see cref="JsonStreamReader"/> found at a wanted path, or why the value (or the file) could not be read.
/// <see cref="Value"/> lives in a pooled buffer: it is valid only until the enumeration moves on, so copy out what you keep.
/// </summary>
internal sealed class JsonStreamItem : IDisposable
{
    private JsonDocument? _document;

    private JsonStreamItem(string path, long byteOffset)
    {
        Path = path;
        ByteOffset = byteOffset;
    }

    /// <summary>Where the value sits: "$.objects[3]", or "line 12" for NDJSON.</summary>
    public string Path { get; }

    /// <summary>Offset in the (decompressed) file where the value or the problem starts.</summary>
    public long ByteOffset { get; }

    /// <summary>The pattern that matched; null for NDJSON lines and file-level errors.</summary>
    public JsonPathPattern? Pattern { get; private init; }

    /// <summary>The array indices along <see cref="Path"/>, outermost first ("$.response[2].Event.Attribute[7]" gives [2, 7]).</summary>
    public IReadOnlyList<int> Indices { get; private init; } = [];

    /// <summary>The value; <c>default</c> when <see cref="Error"/> is set.</summary>
    public JsonElement Value => _document?.RootElement ?? default;

    /// <summary>Why the value could not be read; null when <see cref="Value"/> is usable.</summary>
    public string? Error { get; private init; }

    /// <summary>The problem ends the file: nothing after it can be read.</summary>
    public bool IsFatal { get; private init; }

    public bool IsError => Error is not null;

    /// <summary>
    /// What kind of problem <see cref="Error"/> is, for a consumer that words its own messages. Set by
    /// <see cref="JsonStreamReader.ReadLinesAsync"/> and <see cref="JsonStreamReader.ReadElementsAsync"/>;
    /// <see cref="JsonStreamReader.ReadValuesAsync"/> leaves it <see cref="JsonStreamProblem.Other"/>.
    /// </summary>
    public JsonStreamProblem Problem { get; private init; }

    /// <summary>For <see cref="JsonStreamProblem.TooLarge"/>: the record's exact size in bytes.</summary>
    public long Size { get; private init; }

    /// <summary>For <see cref="JsonStreamProblem.TooDeep"/>: how deep the record nests, counted from the record.</summary>
    public int Depth { get; private init; }

    /// <summary>For <see cref="JsonStreamProblem.Syntax"/>: the parser's message, with the position in the record.</summary>
    public string? Detail { get; private init; }

    internal static JsonStreamItem ForValue(string path, long byteOffset, JsonPathPattern? pattern, IReadOnlyList<int> indices, JsonDocument document) =>
        new(path, byteOffset) { Pattern = pattern, Indices = indices, _document = document };

    internal static JsonStreamItem ForError(string path, long byteOffset, string error, bool fatal, JsonPathPattern? pattern = null, IReadOnlyList<int>? indices = null) =>
        new(path, byteOffset) { Error = error, IsFatal = fatal, Pattern = pattern, Indices = indices ?? [] };

    internal static JsonStreamItem ForProblem(string path, long byteOffset, JsonStreamProblem problem, string error, bool fatal = false, long size = 0, int depth = 0, string? detail = null) =>
        new(path, byteOffset) { Error = error, IsFatal = fatal, Problem = problem, Size = size, Depth = depth, Detail = detail };

    public void Dispose()
    {
        _document?.Dispose();
        _document = null;
    }
}

/// <summary>Why a <see cref="JsonStreamItem"/> is an error, so that each consumer can word it its own way.</summary>
internal enum JsonStreamProblem
{
    /// <summary>Not classified (the path reader's problems); <see cref="JsonStreamItem.Error"/> says it all.</summary>
    Other,

    /// <summary>The record is not valid JSON (<see cref="JsonStreamItem.Detail"/>).</summary>
    Syntax,

    /// <summary>The record is larger than the limit (<see cref="JsonStreamItem.Size"/>).</summary>
    TooLarge,

    /// <summary>The record nests deeper than the limit (<see cref="JsonStreamItem.Depth"/>).</summary>
    TooDeep,

    /// <summary>A string holds an unpaired surrogate escape.</summary>
    NotText,

    /// <summary>The file is not in the shape asked for (not NDJSON, not an array).</summary>
    NotJson,

    /// <summary>The file ends inside a record or between them.</summary>
    Truncated,

    /// <summary>Something other than a record stands where a record or a separator should.</summary>
    Unexpected,
}
