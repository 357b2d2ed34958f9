using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Monitor.Core.Config;
using Monitor.Core.Storage;

namespace Monitor.Core.Pull;

/// <summary>
/// Pulls a TAXII 2.1 collection: <c>GET {collection}/objects/?limit=N[&amp;added_after=cursor]</c>, then each page's
/// <c>next</c> until <c>more</c> is false. Each page's objects are written as one STIX bundle blob named by their hash,
/// so at most one page is held in memory and a page read again after a crash lands on the blob it already has.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The cursor is the server's <c>X-TAXII-Date-Added-Last</c>, never an object's own dates or the local clock, and it
/// is saved only after every page of the pull is in the drop zone.</item>
/// <item><c>more</c> without <c>next</c> cannot be followed: the pull fails and the cursor stays.</item>
/// <item>A <c>next</c> request repeats the first request's query, as TAXII 2.1 (3.4) requires ("the next URL parameter
/// along with the same original query options") and medallion enforces. So a new <c>added_after</c> (taken from a page
/// or a later cursor) is never sent together with a <c>next</c>.</item>
/// <item>A page that holds only what the cursor already covers (a server that takes <c>added_after</c> as inclusive) is
/// not written, so a pull with nothing new writes nothing.</item>
/// </list>
/// </remarks>
public sealed class TaxiiCollectionPuller(PullHttp http, DropZoneWriter dropZone, IOptions<PullOptions> options)
{
    public const string MediaType = "application/taxii+json;version=2.1";
    public const string DateAddedFirst = "X-TAXII-Date-Added-First";
    public const string DateAddedLast = "X-TAXII-Date-Added-Last";

    public async Task<PullOutcome> PullAsync(string source, PullSettings pull, PullStateEntity state, CancellationToken cancellationToken)
    {
        var collection = pull.Url.AbsolutePath.EndsWith('/') ? pull.Url : new Uri(pull.Url + "/");
        var objectsUrl = new Uri(collection, "objects/");
        var original = $"limit={options.Value.PageSize}" + (state.Cursor is { } cursor ? $"&added_after={Uri.EscapeDataString(cursor)}" : "");
        var query = original;
        string? newest = null;
        int blobs = 0, objects = 0, pages = 0;
        while (true)
        {
            pages++;
            var url = new UriBuilder(objectsUrl) { Query = query }.Uri;
            using var response = await http.GetAsync(source, pull, url, h => h.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(MediaType)), cancellationToken);
            var first = Header(response, DateAddedFirst);
            var last = Header(response, DateAddedLast);
            using var page = await ReadPageAsync(response, url, cancellationToken);
            var alreadyTaken = state.Cursor is not null && first == state.Cursor && last == state.Cursor;
            if (page.Objects.Count > 0 && !alreadyTaken)
            {
                var bundle = Bundle(page.Objects, out var hash);
                if (await dropZone.WriteNewAsync($"{DropZoneWriter.Folder(source)}taxii-{hash}.json", new MemoryStream(bundle), cancellationToken))
                {
                    blobs++;
                }
                objects += page.Objects.Count;
            }
            if (last is not null && (newest is null || Later(last, newest)))
            {
                newest = last;
            }
            if (!page.More)
            {
                break;
            }
            if (string.IsNullOrEmpty(page.Next))
            {
                throw new PullException($"GET {PullHttp.Show(url)}: page {pages} says more is true but gives no next, so the rest cannot be read; "
                    + $"the cursor stays at {state.Cursor ?? "the start"} and the next pull reads from there again");
            }
            query = $"{original}&next={Uri.EscapeDataString(page.Next)}";
        }
        if (newest is not null && (state.Cursor is null || Later(newest, state.Cursor)))
        {
            state.Cursor = newest;
        }
        return new PullOutcome(blobs, objects, $"{objects} objects in {pages} pages, {blobs} new blobs; cursor {state.Cursor ?? "(none)"}");
    }

    private sealed record Page(List<JsonElement> Objects, bool More, string? Next, JsonDocument Document) : IDisposable
    {
        public void Dispose() => Document.Dispose();
    }

    private static async Task<Page> ReadPageAsync(HttpResponseMessage response, Uri url, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new PullException($"GET {PullHttp.Show(url)}: the envelope is not JSON ({ex.Message})", ex);
        }
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new PullException($"GET {PullHttp.Show(url)}: the answer is not a TAXII envelope (a JSON object)");
        }
        var objects = root.TryGetProperty("objects", out var o) && o.ValueKind == JsonValueKind.Array ? o.EnumerateArray().ToList() : [];
        var more = root.TryGetProperty("more", out var m) && m.ValueKind == JsonValueKind.True;
        var next = root.TryGetProperty("next", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        return new Page(objects, more, next, document);
    }

    /// <summary>A STIX 2.1 bundle of the page's objects as the server sent them; its ID and the hash come from the content.</summary>
    private static byte[] Bundle(List<JsonElement> objects, out string hash)
    {
        var content = new MemoryStream();
        using (var writer = new Utf8JsonWriter(content))
        {
            writer.WriteStartArray();
            foreach (var item in objects)
            {
                item.WriteTo(writer);
            }
            writer.WriteEndArray();
        }
        var digest = SHA256.HashData(content.ToArray());
        hash = Convert.ToHexStringLower(digest)[..32];
        var bundle = new MemoryStream();
        using (var writer = new Utf8JsonWriter(bundle))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "bundle");
            writer.WriteString("id", $"bundle--{new Guid(digest.AsSpan(0, 16)):D}");
            writer.WritePropertyName("objects");
            writer.WriteRawValue(content.ToArray(), skipInputValidation: true);
            writer.WriteEndObject();
        }
        return bundle.ToArray();
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;

    /// <summary>Compares two server timestamps as instants (the server's text is what is stored and sent back).</summary>
    private static bool Later(string a, string b) =>
        DateTimeOffset.TryParse(a, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var x)
        && DateTimeOffset.TryParse(b, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var y)
            ? x > y
            : string.CompareOrdinal(a, b) > 0;
}

/// <summary>What one pull of a source wrote: new blobs in the drop zone, items read, and a line for people.</summary>
public sealed record PullOutcome(int Blobs, int Items, string Detail);
