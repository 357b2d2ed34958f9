using System.Text.Json;
using System.Text.RegularExpressions;

namespace Monitor.Core.Feeds;

/// <summary>
/// Tells which parser a feed file needs, from its content first and its extension second: partners name files
/// carelessly ("export.txt", "feed.json" holding NDJSON), but a STIX bundle or a MISP event says what it is in
/// its first few keys. Only the first <see cref="PrefixBytes"/> bytes are read.
/// </summary>
internal static partial class FeedFormatDetector
{
    public const int PrefixBytes = 64 * 1024;

    /// <exception cref="FeedFormatException">The file is empty, or blank with no telling extension.</exception>
    public static async Task<(FeedFormat Format, string Reason)> DetectAsync(FeedSource source, CancellationToken cancellationToken)
    {
        var buffer = new byte[PrefixBytes];
        int read;
        bool whole;
        await using (var stream = await source.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            whole = read < buffer.Length || await stream.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) == 0;
        }

        if (read == 0)
        {
            throw new FeedFormatException("empty file", "byte 0");
        }

        var extension = FormatFromExtension(source.Name);
        var content = buffer.AsSpan(0, read);
        if (content.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            content = content[3..];
        }

        var start = content.IndexOfAnyExcept(" \t\r\n"u8);
        if (start < 0)
        {
            // Nothing but whitespace in view: the content cannot tell, the name may.
            return extension ?? throw new FeedFormatException("the file holds only whitespace", $"byte {read}");
        }

        var text = content[start..];
        return text[0] switch
        {
            (byte)'[' => DetectArray(text, whole),
            (byte)'{' => DetectObject(text, whole, extension),
            _ => (FeedFormat.Csv, "content: text, not JSON"),
        };
    }

    /// <summary>The format a file name implies (".gz" ignored), with the reason; null when the extension says nothing.</summary>
    public static (FeedFormat Format, string Reason)? FormatFromExtension(string name)
    {
        if (name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^3];
        }

        var extension = Path.GetExtension(name).ToLowerInvariant();
        FeedFormat? format = extension switch
        {
            ".csv" or ".tsv" => FeedFormat.Csv,
            ".json" => FeedFormat.Json,
            ".ndjson" or ".jsonl" => FeedFormat.Ndjson,
            ".stix" => FeedFormat.Stix,
            ".misp" => FeedFormat.Misp,
            _ => null,
        };
        return format is { } known ? (known, $"extension {extension}") : null;
    }

    private static (FeedFormat, string) DetectArray(ReadOnlySpan<byte> text, bool whole)
    {
        var head = JsonHead.Read(text, whole);
        if (head.String("[0].type") == "bundle")
        {
            return (FeedFormat.Stix, "content: STIX bundle in an array (\"type\":\"bundle\")");
        }

        // MISP exports several events as an array of {"Event": …}.
        return head.Has("[0].Event")
            ? (FeedFormat.Misp, "content: MISP events in an array (\"Event\")")
            : (FeedFormat.Json, "content: JSON array");
    }

    private static (FeedFormat, string) DetectObject(ReadOnlySpan<byte> text, bool whole, (FeedFormat Format, string Reason)? extension)
    {
        var head = JsonHead.Read(text, whole);
        if (StixReason(head) is { } stix)
        {
            return (FeedFormat.Stix, $"content: STIX bundle ({stix})");
        }

        if (MispReason(head) is { } misp)
        {
            return (FeedFormat.Misp, $"content: MISP {misp}");
        }

        if (head.FirstKey is { } key && StixUuid().IsMatch(key) && head.Has($"{key}.info") && (head.Has($"{key}.timestamp") || head.Has($"{key}.date")))
        {
            return (FeedFormat.MispManifest, "content: MISP feed index (manifest.json: event UUIDs with info and timestamp)");
        }

        var byExtensionNdjson = extension?.Format == FeedFormat.Ndjson;
        if (head.EndOfFirstValue is not { } end)
        {
            // The first object does not end within the prefix (or is broken): only the name can tell NDJSON from JSON.
            return byExtensionNdjson ? extension!.Value : (FeedFormat.Json, "content: JSON object");
        }

        var firstLineComplete = !text[..end].ContainsAny((byte)'\r', (byte)'\n');
        var rest = text[end..];
        var nextLine = rest.IndexOf((byte)'\n');
        ReadOnlySpan<byte> secondLine = nextLine < 0 ? [] : rest[(nextLine + 1)..].TrimStart(" \t\r\n"u8);
        if (firstLineComplete && !secondLine.IsEmpty && secondLine[0] == '{' && rest[..nextLine].Trim(" \t\r"u8).IsEmpty)
        {
            return (FeedFormat.Ndjson, "content: NDJSON (one JSON object per line)");
        }

        if (firstLineComplete && byExtensionNdjson && rest.Trim(" \t\r\n"u8).IsEmpty)
        {
            return (FeedFormat.Ndjson, $"content: one JSON object on one line, {extension!.Value.Reason}");
        }

        return (FeedFormat.Json, "content: JSON object");
    }

    private static string? StixReason(JsonHead head)
    {
        if (head.String("type") == "bundle")
        {
            return "\"type\":\"bundle\"";
        }

        if (head.String("id")?.StartsWith("bundle--", StringComparison.Ordinal) == true)
        {
            return "\"id\":\"bundle--…\"";
        }

        if (head.Has("objects") && (head.Has("spec_version") || head.Has("objects[0].spec_version")))
        {
            return "\"objects\" with \"spec_version\"";
        }

        if (head.String("objects[0].id") is { } id && StixId().IsMatch(id))
        {
            return $"\"objects\" of STIX objects (\"{id[..(id.IndexOf("--", StringComparison.Ordinal) + 2)]}…\")";
        }

        return null;
    }

    private static string? MispReason(JsonHead head)
    {
        if (head.Has("Event"))
        {
            return "event (\"Event\")";
        }

        if (head.Has("response") && (head.Has("response[0].Event") || head.Has("response.Attribute") || head.Has("response.Event")))
        {
            return "search result (\"response\")";
        }

        if (head.Has("info") && (head.Has("Attribute") || head.Has("Object") || (head.Has("uuid") && head.Has("threat_level_id"))))
        {
            return "event without its \"Event\" wrapper (\"info\" with attributes)";
        }

        if (head.Has("Object[0].template_uuid") || head.Has("Object[0].meta-category") || head.Has("Object[0].Attribute"))
        {
            return "event without its \"Event\" wrapper (\"Object\" holds MISP objects)";
        }

        if (head.Has("Attribute[0].category") && (head.Has("Attribute[0].to_ids") || head.Has("Attribute[0].object_relation")))
        {
            return "event without its \"Event\" wrapper (\"Attribute\" holds MISP attributes)";
        }

        return null;
    }

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex StixUuid();

    [GeneratedRegex("^[a-z0-9-]+--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex StixId();

    /// <summary>
    /// What the start of a JSON document shows: the property paths of its first three levels ("Event",
    /// "objects[0].spec_version") and the "type"/"id" strings among them. Reading stops at the end of the first
    /// value, at the end of the prefix, or at the first syntax error.
    /// </summary>
    private sealed class JsonHead
    {
        private readonly HashSet<string> _paths = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

        /// <summary>Offset just past the first top-level value, when it ends within the prefix.</summary>
        public int? EndOfFirstValue { get; private set; }

        public bool Has(string path) => _paths.Contains(path);

        /// <summary>The first property name of a top-level object.</summary>
        public string? FirstKey { get; private set; }

        public string? String(string path) => _strings.GetValueOrDefault(path);

        public static JsonHead Read(ReadOnlySpan<byte> json, bool isFinalBlock)
        {
            var head = new JsonHead();
            var options = new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 1024 };
            var reader = new Utf8JsonReader(json, isFinalBlock, new JsonReaderState(options));
            var frames = new List<(bool IsArray, string Path, int Count)>();
            string? property = null;
            try
            {
                while (reader.Read())
                {
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.PropertyName:
                            property = reader.GetString();
                            if (frames.Count == 1 && !frames[0].IsArray)
                            {
                                head.FirstKey ??= property;
                            }

                            if (frames.Count <= 3)
                            {
                                head._paths.Add(Join(frames[^1].Path, property!));
                            }

                            break;
                        case JsonTokenType.StartObject or JsonTokenType.StartArray:
                            frames.Add((reader.TokenType == JsonTokenType.StartArray, ChildPath(frames, property), 0));
                            property = null;
                            break;
                        case JsonTokenType.EndObject or JsonTokenType.EndArray:
                            frames.RemoveAt(frames.Count - 1);
                            if (frames.Count == 0)
                            {
                                head.EndOfFirstValue = (int)reader.BytesConsumed;
                                return head;
                            }

                            break;
                        default:
                            var path = ChildPath(frames, property);
                            property = null;
                            if (reader.TokenType == JsonTokenType.String && frames.Count <= 3 && (path.EndsWith("type", StringComparison.Ordinal) || path.EndsWith("id", StringComparison.Ordinal)))
                            {
                                head._strings[path] = reader.GetString()!;
                            }

                            break;
                    }
                }
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                // A broken or cut document (or one whose keys are not text) still says what its first keys said.
            }

            return head;
        }

        private static string ChildPath(List<(bool IsArray, string Path, int Count)> frames, string? property)
        {
            if (frames.Count == 0)
            {
                return "";
            }

            var parent = frames[^1];
            if (!parent.IsArray)
            {
                return Join(parent.Path, property ?? "");
            }

            frames[^1] = parent with { Count = parent.Count + 1 };
            return $"{parent.Path}[{parent.Count}]";
        }

        private static string Join(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";
    }
}
