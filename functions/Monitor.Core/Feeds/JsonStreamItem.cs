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

    internal static JsonStreamItem ForValue(string path, long byteOffset, JsonPathPattern? pattern, IReadOnlyList<int> indices, JsonDocument document) =>
        new(path, byteOffset) { Pattern = pattern, Indices = indices, _document = document };

    internal static JsonStreamItem ForError(string path, long byteOffset, string error, bool fatal, JsonPathPattern? pattern = null, IReadOnlyList<int>? indices = null) =>
        new(path, byteOffset) { Error = error, IsFatal = fatal, Pattern = pattern, Indices = indices ?? [] };

    public void Dispose()
    {
        _document?.Dispose();
        _document = null;
    }
}
