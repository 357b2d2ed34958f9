using Monitor.Core.Storage;

namespace Monitor.Tests.Hardening;

/// <summary>
/// Request and record IDs with the characters Table Storage forbids in keys (/ \ # ? and control characters), with
/// percent signs that look like an encoding, and long IDs built to meet another's shortened key: every one becomes a
/// valid key, and distinct IDs never share a row.
/// </summary>
public sealed class HostileIdTests : IAsyncLifetime
{
    // Request IDs are at most 200 characters, but encoding can make their keys longer: these two are shortened.
    private static readonly string SlashesA = "S" + new string('/', 150) + "a";
    private static readonly string SlashesB = "S" + new string('/', 150) + "b";

    private static readonly string[] RequestIds = ["A/B", "A%2FB", "A%252FB", "Q#1", "Q?1", "B\\C", "C\u0001D", "C\u007FD", "P|Q", "P%7CQ", SlashesA, SlashesB];

    // Record IDs may be long; the third is the second's shortened key written out as an ID of its own.
    private static readonly string LongRecordA = "R" + new string('a', 300);
    private static readonly string LongRecordB = "R" + new string('a', 299) + "b";
    private static readonly string ForgedRecord = KeyEncoding.Encode(LongRecordA);

    private readonly HostileDropZone _zone = new();

    public async Task InitializeAsync() => await _zone.PutGoodFilesAsync();

    public async Task DisposeAsync() => await _zone.DisposeAsync();

    [Fact]
    public async Task Ids_with_forbidden_key_characters_become_valid_distinct_keys()
    {
        string[] requestIds = RequestIds;
        var register = "request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators\n"
            + string.Join('\n', requestIds.Select(id => $"{Csv(id)},US,CN,investigation,low,2026-11-16T09:00:00Z,s,"));
        await _zone.PutAsync("requests/ids.csv", register);
        // One record per request, whose ID is the request's with "r:" in front (record IDs are hostile too), and three
        // long record IDs for T-200.
        var feed = "record_id,reported_at,reporter,kind,request_refs,indicators,summary\n"
            + string.Join('\n', requestIds.Select(id => $"{Csv("r:" + id)},2026-11-18T00:00:00Z,US,status-update,{Csv(id)},,s"))
            + "\n" + string.Join('\n', new[] { LongRecordA, LongRecordB, ForgedRecord }.Select(id => $"{id},2026-11-18T00:00:00Z,US,status-update,T-200,,s"));
        await _zone.PutAsync("incidents/liaison-us/ids.csv", feed);

        await _zone.RunOnceAsync();

        var requests = (await _zone.Test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable)).Where(r => r.RequestId is not ("T-100" or "T-200")).ToList();
        Assert.Equal(requestIds.Order(StringComparer.Ordinal), requests.Select(r => r.RequestId).Order(StringComparer.Ordinal));
        Assert.Equal(requests.Count, requests.Select(r => r.RowKey).Distinct(StringComparer.Ordinal).Count());
        Assert.All(requests, r => AssertValidKey(r.RowKey));

        var events = (await _zone.Test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable)).Where(e => e.RequestId is not ("T-100" or "T-200")).ToList();
        Assert.Equal(requestIds.Select(id => $"{id} -> r:{id}").Order(StringComparer.Ordinal), events.Select(e => $"{e.RequestId} -> {e.RecordId}").Order(StringComparer.Ordinal));
        Assert.All(events, e => { AssertValidKey(e.PartitionKey); AssertValidKey(e.RowKey); });
        Assert.Equal(events.Count, events.Select(e => e.PartitionKey).Distinct(StringComparer.Ordinal).Count());

        var matches = (await _zone.Test.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable)).Where(m => m.RequestId is not ("T-100" or "T-200")).ToList();
        Assert.Equal(requestIds.Select(id => $"{id} r:{id} reference").Order(StringComparer.Ordinal), matches.Select(m => $"{m.RequestId} {m.RecordId} {m.MatchType}").Order(StringComparer.Ordinal));
        Assert.All(matches, m => { AssertValidKey(m.PartitionKey); AssertValidKey(m.RowKey); });

        Assert.Equal(new[] { LongRecordA, LongRecordB, ForgedRecord }.Order(StringComparer.Ordinal), await _zone.EventsOfT200Async());
        var t200 = (await _zone.Test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable)).Where(e => e.RequestId == "T-200").ToList();
        Assert.Equal(3, t200.Select(e => e.RowKey).Distinct(StringComparer.Ordinal).Count());
        Assert.All(t200, e => AssertValidKey(e.RowKey));

        var run = await _zone.RunOfAsync("incidents/liaison-us/ids.csv");
        Assert.Equal((requestIds.Length + 3, 0), (run.Records, run.Rejects));
        await _zone.AssertGoodFileUnaffectedAsync();
    }

    [Fact]
    public async Task Json_ids_with_unpaired_surrogate_escapes_are_rejected_and_paired_ones_kept()
    {
        // JSON can spell UTF-16 halves that no UTF-8 file can hold; such an ID cannot be stored as text.
        const string feed = """
            [{"record_id":"s\ud800","reported_at":"2026-11-18T00:00:00Z","kind":"status-update","request_refs":"T-200"},
             {"record_id":"s\udc00x","reported_at":"2026-11-18T00:00:00Z","kind":"status-update","request_refs":"T-200"},
             {"record_id":"smile\ud83d\ude00","reported_at":"2026-11-18T00:00:00Z","kind":"status-update","request_refs":"T-200"},
             {"record_id":"ok","reported_at":"2026-11-18T00:00:00Z","kind":"status-update","request_refs":"T-200","summary":"\ud800"}]
            """;
        await _zone.PutAsync("incidents/liaison-us/surrogates.json", feed);

        await _zone.RunOnceAsync();

        await _zone.AssertRejectedAsync("incidents/liaison-us/surrogates.json", "$[0]", "unpaired UTF-16 surrogate");
        await _zone.AssertRejectedAsync("incidents/liaison-us/surrogates.json", "$[1]", "unpaired UTF-16 surrogate");
        await _zone.AssertRejectedAsync("incidents/liaison-us/surrogates.json", "$[3]", "unpaired UTF-16 surrogate");
        Assert.Equal(["smile\U0001F600"], await _zone.EventsOfT200Async());
        await _zone.AssertGoodFileUnaffectedAsync();
    }

    private static string Csv(string value) => value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    /// <summary>What Table Storage accepts in a key: no / \ # ?, no control characters, at most 1 KiB, well-formed UTF-16.</summary>
    private static void AssertValidKey(string key)
    {
        Assert.True(key.Length is > 0 and <= 512, $"key of {key.Length} characters: {key}");
        Assert.DoesNotContain(key, c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
        for (var i = 0; i < key.Length; i++)
        {
            var paired = char.IsHighSurrogate(key[i]) && i + 1 < key.Length && char.IsLowSurrogate(key[++i]);
            Assert.True(paired || !char.IsSurrogate(key[i]), $"key has an unpaired surrogate at {i}: {key}");
        }
    }
}
