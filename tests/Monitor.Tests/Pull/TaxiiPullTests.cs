using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Monitor.Core.Reporting;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Pull;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;
using static Monitor.Tests.Pull.PullTestData;

namespace Monitor.Tests.Pull;

/// <summary>Pulling a TAXII 2.1 collection from medallion, the OASIS reference server, with pages smaller than the collection.</summary>
public sealed class TaxiiPullTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task First_pull_reads_everything_then_only_what_was_added_and_then_nothing()
    {
        await using var taxii = await MedallionServer.StartAsync(Collection(1, 5), maxPageSize: 2);
        await using var test = PullStorage(pageSize: 2);
        await ConfigureSourcesAsync(test, TaxiiSource("partner", taxii.CollectionUrl));
        await test.PushAsync("register.csv", Register(9), FeedKind.Requests);
        var puller = test.Services.GetRequiredService<FeedPuller>();

        var first = Assert.Single(await puller.PullAsync(null, None));
        Assert.Null(first.Error);
        Assert.Equal(5, first.Outcome!.Items);
        Assert.Equal(3, first.Outcome.Blobs); // pages of 2, 2 and 1
        Assert.Equal(5, await RecordsIngestedAsync(test.Host, "partner"));
        Assert.Equal(["T-01", "T-02", "T-03", "T-04", "T-05"], await MatchedAsync(test, "partner"));
        var state = await test.Services.GetRequiredService<PullStateStore>().GetAsync("partner", None);
        Assert.Equal("2026-11-19T10:00:05.000000Z", state.Cursor); // the server's X-TAXII-Date-Added-Last

        // One object added: the next pull reads only it.
        await taxii.AddAsync(Indicator(6));
        var second = Assert.Single(await puller.PullAsync(null, None));
        Assert.Equal((1, 1), (second.Outcome!.Items, second.Outcome.Blobs));
        Assert.Equal(1, await RecordsIngestedAsync(test.Host, "partner"));

        // Three added: more than a page, so the pull follows next from its cursor and reads exactly those.
        await taxii.AddAsync(Indicator(7), Indicator(8), Indicator(9));
        var third = Assert.Single(await puller.PullAsync(null, None));
        Assert.Null(third.Error);
        Assert.Equal((3, 2), (third.Outcome!.Items, third.Outcome.Blobs));
        Assert.Equal(3, await RecordsIngestedAsync(test.Host, "partner"));

        // Nothing new: nothing read, nothing written.
        var blobs = await BlobsAsync(test, "partner");
        var fourth = Assert.Single(await puller.PullAsync(null, None));
        Assert.Equal((0, 0), (fourth.Outcome!.Items, fourth.Outcome.Blobs));
        Assert.Equal(blobs, await BlobsAsync(test, "partner"));
        Assert.Equal(0, await RecordsIngestedAsync(test.Host, "partner"));
        Assert.Equal(Enumerable.Range(1, 9).Select(i => $"T-{i:D2}"), await MatchedAsync(test, "partner"));
    }

    [Fact]
    public async Task A_crash_after_the_blobs_are_written_before_the_cursor_is_saved_converges_with_no_doubles()
    {
        await using var taxii = await MedallionServer.StartAsync(Collection(1, 5), maxPageSize: 2);
        var crash = new CrashBeforeCursorSaved();
        await using var test = PullStorage(pageSize: 2, configure: services => services.AddSingleton<IStoragePolicyProvider>(crash));
        await ConfigureSourcesAsync(test, TaxiiSource("partner", taxii.CollectionUrl));
        await test.PushAsync("register.csv", Register(5), FeedKind.Requests);
        var puller = test.Services.GetRequiredService<FeedPuller>();

        await Assert.ThrowsAsync<IOException>(() => puller.PullAsync(null, None));
        Assert.Equal(1, crash.Crashes);
        var written = await BlobsAsync(test, "partner");
        Assert.Equal(3, written.Count);
        Assert.Null((await test.Services.GetRequiredService<PullStateStore>().GetAsync("partner", None)).Cursor);
        Assert.Equal(5, await RecordsIngestedAsync(test.Host, "partner"));

        // The restarted pull reads the same pages from the old cursor: they land on the blobs already there.
        var again = Assert.Single(await puller.PullAsync(null, None));
        Assert.Equal((5, 0), (again.Outcome!.Items, again.Outcome.Blobs));
        Assert.Equal(written, await BlobsAsync(test, "partner"));
        Assert.Equal(0, await RecordsIngestedAsync(test.Host, "partner"));
        Assert.Equal(["T-01", "T-02", "T-03", "T-04", "T-05"], await MatchedAsync(test, "partner"));
        // One Matches row per record and request (the records are related activity: no RequestEvents rows to double).
        Assert.Equal(5, (await test.ReadAllAsync<MatchEntity>("Matches")).Count(e => e.Source == "partner"));
        Assert.DoesNotContain(await test.ReadAllAsync<RequestEventEntity>("RequestEvents"), e => e.Source == "partner");
        Assert.Equal("2026-11-19T10:00:05.000000Z", (await test.Services.GetRequiredService<PullStateStore>().GetAsync("partner", None)).Cursor);
    }

    [Fact]
    public async Task Wrong_credentials_give_a_clear_error_the_other_sources_still_pull_and_repeated_failures_raise_one_alert()
    {
        await using var taxii = await MedallionServer.StartAsync(Collection(1, 3), maxPageSize: 2);
        await using var test = PullStorage(pageSize: 2, settings: new Dictionary<string, string?>
        {
            ["WRONG_TAXII_PASSWORD"] = "not-the-password",
            ["Pull:FailureAlertAfter"] = "2",
        });
        await ConfigureSourcesAsync(test,
            TaxiiSource("wrong", taxii.CollectionUrl, "WRONG_TAXII_PASSWORD"),
            TaxiiSource("unset", taxii.CollectionUrl, "NO_SUCH_SETTING_FOR_PULL_TESTS"),
            TaxiiSource("partner", taxii.CollectionUrl));
        var puller = test.Services.GetRequiredService<FeedPuller>();

        var results = await puller.PullAsync(null, None);
        Assert.Equal(["wrong", "unset", "partner"], results.Select(r => r.Source));
        Assert.Contains("HTTP 401", results[0].Error);
        Assert.Contains("pull.username 'reader' and the password in app setting 'WRONG_TAXII_PASSWORD'", results[0].Error);
        Assert.Contains("app setting 'NO_SUCH_SETTING_FOR_PULL_TESTS', which is not set", results[1].Error);
        Assert.Null(results[2].Error);
        Assert.Equal(3, results[2].Outcome!.Items);

        var states = test.Services.GetRequiredService<PullStateStore>();
        var wrong = await states.GetAsync("wrong", None);
        Assert.Equal((1, null), (wrong.ConsecutiveFailures, wrong.Cursor));
        Assert.Contains("HTTP 401", wrong.LastError);
        Assert.Null(wrong.FailureAlertedAt);
        Assert.Empty((await test.Storage.AlertsQueue.PeekMessagesAsync(32)).Value);

        // The second failure in a row reaches Pull:FailureAlertAfter: one operational alert each, and no more after.
        await puller.PullAsync(null, None);
        await puller.PullAsync(null, None);
        var messages = (await test.Storage.AlertsQueue.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()).ToList();
        Assert.Equal(2, messages.Count);
        Assert.Contains(messages, m => m.Contains("\"kind\":\"operational\"") && m.Contains("source wrong (taxii2.1)") && m.Contains("HTTP 401"));
        Assert.Contains(messages, m => m.Contains("source unset (taxii2.1)"));
        Assert.Equal(3, (await states.GetAsync("wrong", None)).ConsecutiveFailures);
        Assert.NotNull((await states.GetAsync("wrong", None)).FailureAlertedAt);

        // The API shows each source's last pull, cursor and last error.
        var api = test.Services.GetRequiredService<ReportingApi>();
        var answer = await api.HandleAsync("GET", "/api/pulls", None);
        Assert.Equal(200, answer.Status);
        var sources = JsonNode.Parse(answer.Body)!["sources"]!.AsArray();
        Assert.Equal(["partner", "unset", "wrong"], sources.Select(s => (string)s!["source"]!));
        Assert.Equal("2026-11-19T10:00:03.000000Z", (string?)sources[0]!["cursor"]);
        Assert.Equal(0, (int)sources[0]!["consecutiveFailures"]!);
        Assert.Equal(3, (int)sources[2]!["consecutiveFailures"]!);
        Assert.Contains("HTTP 401", (string?)sources[2]!["lastError"]);
        var one = JsonNode.Parse((await api.HandleAsync("GET", "/api/pulls?source=Wrong", None)).Body)!;
        Assert.Equal(1, (int)one["count"]!);
        Assert.Equal(400, (await api.HandleAsync("GET", "/api/pulls?source=a/b", None)).Status);
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_waited_out_and_the_request_repeated()
    {
        await using var taxii = await MedallionServer.StartAsync(Collection(1, 3), maxPageSize: 2);
        var asked = 0;
        using var upstream = new HttpClient();
        // In front of medallion: every second request is answered 429 with Retry-After: 42 first.
        await using var proxy = new TestHttpServer(async context =>
        {
            if (Interlocked.Increment(ref asked) % 2 == 1)
            {
                context.Response.StatusCode = 429;
                context.Response.AddHeader("Retry-After", "42");
                return;
            }
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{taxii.Port}{context.Request.RawUrl}"));
            foreach (var name in new[] { "Accept", "Authorization" })
            {
                request.Headers.TryAddWithoutValidation(name, context.Request.Headers[name]);
            }
            using var response = await upstream.SendAsync(request);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in response.Headers.Where(h => h.Key.StartsWith("X-TAXII", StringComparison.OrdinalIgnoreCase)))
            {
                context.Response.AddHeader(header.Key, header.Value.First());
            }
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            await context.Response.OutputStream.WriteAsync(await response.Content.ReadAsByteArrayAsync());
        });
        var waits = new List<TimeSpan>();
        await using var test = PullStorage(pageSize: 2, waits);
        await ConfigureSourcesAsync(test, TaxiiSource("partner", new Uri($"http://127.0.0.1:{proxy.Port}/api1/collections/{MedallionServer.CollectionId}/")));

        var pull = Assert.Single(await test.Services.GetRequiredService<FeedPuller>().PullAsync(null, None));
        Assert.Null(pull.Error);
        Assert.Equal((3, 2), (pull.Outcome!.Items, pull.Outcome.Blobs));
        Assert.Equal([TimeSpan.FromSeconds(42), TimeSpan.FromSeconds(42)], waits); // one per page
        Assert.Equal(4, asked);
    }

    [Fact]
    public async Task More_without_next_is_an_error_and_the_cursor_does_not_move()
    {
        var queries = new List<string>();
        await using var server = new TestHttpServer(async context =>
        {
            lock (queries)
            {
                queries.Add(context.Request.Url!.Query);
            }
            context.Response.ContentType = MedallionServer.MediaType;
            context.Response.AddHeader("X-TAXII-Date-Added-First", "2026-11-19T10:00:01.000000Z");
            context.Response.AddHeader("X-TAXII-Date-Added-Last", "2026-11-19T10:00:01.000000Z");
            var body = $$"""{"more": true, "objects": [{{Indicator(1).ToJsonString()}}]}""";
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body));
        });
        await using var test = PullStorage(pageSize: 1);
        await ConfigureSourcesAsync(test, TaxiiSource("partner", new Uri($"http://127.0.0.1:{server.Port}/api1/collections/{MedallionServer.CollectionId}/")));

        var pull = Assert.Single(await test.Services.GetRequiredService<FeedPuller>().PullAsync(null, None));
        Assert.Contains("more is true but gives no next", pull.Error);
        Assert.Null((await test.Services.GetRequiredService<PullStateStore>().GetAsync("partner", None)).Cursor);
        Assert.Equal(["?limit=1"], queries);
    }
}
