using System.Text.Json;

namespace Monitor.Core.Sla;

/// <summary>An SLA policy or calendar document that cannot be used; the message names the document and the JSON path.</summary>
public sealed class SlaConfigurationException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>Small strict JSON reading helpers shared by the policy and calendar parsers, so every error names its path.</summary>
internal sealed class ConfigJson(string document)
{
    private static readonly JsonDocumentOptions Options = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 32,
    };

    /// <summary>Parses a configuration document and reads it with <paramref name="read"/>.</summary>
    public static T Read<T>(string json, string document, Func<JsonElement, T> read)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var parsed = ParseDocument(json, document);
        return read(parsed.RootElement);
    }

    /// <summary>Parses a configuration document from a stream (UTF-8 JSON) and reads it with <paramref name="read"/>.</summary>
    public static T Read<T>(Stream stream, string document, Func<JsonElement, T> read)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var parsed = ParseDocument(stream, document);
        return read(parsed.RootElement);
    }

    public static JsonDocument ParseDocument(string json, string document)
    {
        try
        {
            return JsonDocument.Parse(json, Options);
        }
        catch (JsonException exception)
        {
            throw InvalidJson(document, exception);
        }
    }

    public static JsonDocument ParseDocument(Stream stream, string document)
    {
        try
        {
            return JsonDocument.Parse(stream, Options);
        }
        catch (JsonException exception)
        {
            throw InvalidJson(document, exception);
        }
    }

    private static SlaConfigurationException InvalidJson(string document, JsonException exception) =>
        new($"{document}: not valid JSON (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1}): {exception.Message}", exception);

    public SlaConfigurationException Error(string path, string reason) => new($"{document}: {path} {reason}");

    /// <summary>Requires an object; when <paramref name="allowed"/> is given, unknown properties are errors (a typo must not silently drop data).</summary>
    public void RequireObject(JsonElement element, string path, params string[] allowed)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Error(path, $"must be a JSON object, not {Describe(element)}");
        }
        if (allowed.Length == 0)
        {
            return;
        }
        foreach (var property in element.EnumerateObject())
        {
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                throw Error($"{path}.{property.Name}", $"is not a known property (expected one of: {string.Join(", ", allowed)})");
            }
        }
    }

    public JsonElement RequiredProperty(JsonElement element, string path, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw Error($"{path}.{name}", "is required");

    public string RequiredString(JsonElement element, string path, string name)
    {
        var value = RequiredProperty(element, path, name);
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw Error($"{path}.{name}", $"must be a non-empty string, not {Describe(value)}");
        }
        return value.GetString()!.Trim();
    }

    public string? OptionalString(JsonElement element, string path, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Error($"{path}.{name}", $"must be a string, not {Describe(value)}");
    }

    /// <summary>An optional whole number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int? OptionalInt(JsonElement element, string path, string name, int min, int max)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min && number <= max
            ? number
            : throw Error($"{path}.{name}", $"must be a whole number from {min} to {max}, not {Describe(value)}");
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"the string '{element.GetString()}'",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => "null",
    };
}
