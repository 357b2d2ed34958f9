using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Digests;
using Monitor.Core.Ingest;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Sweep;

/// <summary>The daily digest in reports/digests/: written by the local host's sweep step once per UTC day, on demand, escaped, and the same for the same state.</summary>
public sealed class DigestTests : IAsyncLifetime
{
    // The scenario of SweepIntegrationTests: two critical requests to CN, S-1 acknowledged late and updated at 20:00,
    // S-2 paused 19:00-20:00 by an info-request.
    private const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
        S-1,US,CN,investigation,critical,2026-11-16T00:00:00Z,Late acknowledgement,
        S-2,US,CN,investigation,critical,2026-11-16T00:00:00Z,Paused for information,
        """;

    private const string Feed = """
        record_id,reported_at,reporter,kind,request_refs,indicators,summary
        E1,2026-11-16T05:00:00Z,CN,acknowledgement,S-1,,Received late
        E2,2026-11-16T20:00:00Z,CN,status-update,S-1,,Working on it
        F1,2026-11-16T01:00:00Z,CN,acknowledgement,S-2,,Received
        F2,2026-11-16T19:00:00Z,CN,info-request,S-2,,Which hosts?
        F3,2026-11-16T20:00:00Z,US,comment,S-2,,These hosts
        """;

    private const string Day16 = """
        # SLA digest 2026-11-16

        As of 2026-11-16T18:30:00Z: 4 clock(s) of 2 request(s) need attention: 0 escalated, 0 overdue, 4 at risk.

        ## Responding party CN (4)

        | Request | From | Priority | Category | Clock | Level | Calendar | Due (calendar time) | Due (UTC) | How late |
        |---|---|---|---|---|---|---|---|---|---|
        | S-1 | US | critical | investigation | response | at-risk | 24x7 | Tue 2026-11-17 00:00Z | 2026-11-17T00:00:00Z | due in 5h30m |
        | S-1 | US | critical | investigation | update (cycle 0) | at-risk | 24x7 | Tue 2026-11-17 00:00Z | 2026-11-17T00:00:00Z | due in 5h30m |
        | S-2 | US | critical | investigation | response | at-risk | 24x7 | Tue 2026-11-17 01:00Z | 2026-11-17T01:00:00Z | due in 6h30m |
        | S-2 | US | critical | investigation | update (cycle 0) | at-risk | 24x7 | Tue 2026-11-17 01:00Z | 2026-11-17T01:00:00Z | due in 6h30m |

        """;

    private readonly TestStorage _test = new();
    private readonly SweepTestKit _kit;

    public DigestTests() => _kit = new SweepTestKit(_test);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _test.DisposeAsync();

    [Fact]
    public async Task The_first_sweep_of_a_day_writes_its_digest_and_later_sweeps_leave_it()
    {
        await IngestAsync();

        var first = await _kit.SweepStepAsync("2026-11-16T18:30:00Z");
        Assert.NotNull(first.Digest);
        Assert.Equal("digests/2026-11-16.md", first.Digest.MarkdownBlob);
        Assert.Equal(Day16, await ReadAsync("digests/2026-11-16.md"));
        var html = await ReadAsync("digests/2026-11-16.html");
        Assert.Contains("<td>S-2</td><td>US</td><td>critical</td><td>investigation</td><td>update (cycle 0)</td><td>at-risk</td>", html);
        var stamp = (await Blob("digests/2026-11-16.md").GetPropertiesAsync()).Value.ETag;

        // Later that day: S-2 is paused, but the day's digest stays as the first sweep wrote it.
        var later = await _kit.SweepStepAsync("2026-11-16T19:30:00Z");
        Assert.Null(later.Digest);
        Assert.Equal(stamp, (await Blob("digests/2026-11-16.md").GetPropertiesAsync()).Value.ETag);

        // The first instant again (rows now evaluated at 19:30): rewritten, byte for byte the same.
        var again = await _kit.SweepStepAsync("2026-11-16T18:30:00Z");
        Assert.NotNull(again.Digest);
        Assert.NotEqual(stamp, (await Blob("digests/2026-11-16.md").GetPropertiesAsync()).Value.ETag);
        Assert.Equal(Day16, await ReadAsync("digests/2026-11-16.md"));
        Assert.Equal(html, await ReadAsync("digests/2026-11-16.html"));
    }

    [Fact]
    public async Task A_digest_made_later_for_an_instant_equals_the_one_the_sweep_wrote_then()
    {
        await IngestAsync();
        await _kit.SweepStepAsync("2026-11-16T18:30:00Z");
        var day17 = await _kit.SweepStepAsync("2026-11-17T00:30:00Z");
        Assert.NotNull(day17.Digest);
        var markdown = await ReadAsync("digests/2026-11-17.md");
        var html = await ReadAsync("digests/2026-11-17.html");
        // S-1: response overdue 30 min; update cycle 1 (started 20:00) pending, so absent. S-2: at risk, due 01:00.
        Assert.Contains("| S-1 | US | critical | investigation | response | overdue | 24x7 | Tue 2026-11-17 00:00Z | 2026-11-17T00:00:00Z | 30m late; escalates 2026-11-18T00:00:00Z |", markdown);
        Assert.Contains("As of 2026-11-17T00:30:00Z: 3 clock(s) of 2 request(s) need attention: 0 escalated, 1 overdue, 2 at risk.", markdown);
        Assert.DoesNotContain("update (cycle 1)", markdown);

        await _kit.SweepStepAsync("2026-11-18T20:30:00Z");
        var onDemand = await _test.Services.GetRequiredService<DigestWriter>().WriteAsync(SweepTestKit.At("2026-11-17T00:30:00Z"), CancellationToken.None);

        Assert.Equal(markdown, await ReadAsync("digests/2026-11-17.md"));
        Assert.Equal(html, await ReadAsync("digests/2026-11-17.html"));
        Assert.Equal(3, onDemand.Report.Items.Count);
    }

    [Fact]
    public async Task Everything_in_the_digest_is_escaped_and_grouped_by_responding_party()
    {
        const string register = """
            request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
            X<1>&2,US,CN,"<script>alert(""x"")</script> | *bold* _u_",critical,2026-11-16T00:00:00Z,Hostile text,
            Y-1,CN,US,information,critical,2026-11-16T00:00:00Z,Other party,
            Z-1,CN,US,information,critical,2026-11-16T12:00:00Z,Not at risk yet,
            """;
        await _test.PushAsync("register.csv", register, FeedKind.Requests);
        await _test.Host.ProcessPendingAsync(null, CancellationToken.None);

        var result = await _kit.SweepStepAsync("2026-11-16T03:30:00Z");

        Assert.NotNull(result.Digest);
        Assert.Equal(["CN", "US"], result.Digest.Report.ByParty.Select(g => g.Key));
        Assert.Equal(["X<1>&2 acknowledgement", "Y-1 acknowledgement"], result.Digest.Report.Items.Select(i => $"{i.RequestId} {i.ClockName}"));
        var html = await ReadAsync("digests/2026-11-16.html");
        Assert.DoesNotContain("<script>", html);
        Assert.Contains("<td>X&lt;1&gt;&amp;2</td>", html);
        Assert.Contains("<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; | *bold* _u_</td>", html);
        var markdown = await ReadAsync("digests/2026-11-16.md");
        Assert.DoesNotContain("<script>", markdown);
        Assert.Contains("| X&lt;1&gt;&amp;2 | US | critical | &lt;script&gt;alert(\"x\")&lt;/script&gt; \\| \\*bold\\* \\_u\\_ | acknowledgement | at-risk |", markdown);
        Assert.Contains("## Responding party US (1)", markdown);
        Assert.DoesNotContain("Z-1", markdown);
    }

    [Fact]
    public async Task The_digest_can_be_switched_off_and_given_a_time_of_day()
    {
        await using var off = new TestStorage(settings: new Dictionary<string, string?> { ["Alerts:DigestEnabled"] = "false" });
        await off.PushAsync("register.csv", Register, FeedKind.Requests);
        await off.Host.ProcessPendingAsync(null, CancellationToken.None);
        Assert.Null((await new SweepTestKit(off).SweepStepAsync("2026-11-16T18:30:00Z")).Digest);

        await using var morning = new TestStorage(settings: new Dictionary<string, string?> { ["Alerts:DigestTimeOfDayUtc"] = "07:00:00" });
        await morning.PushAsync("register.csv", Register, FeedKind.Requests);
        await morning.Host.ProcessPendingAsync(null, CancellationToken.None);
        var kit = new SweepTestKit(morning);
        Assert.Null((await kit.SweepStepAsync("2026-11-16T06:59:00Z")).Digest);
        Assert.Equal("digests/2026-11-16.md", (await kit.SweepStepAsync("2026-11-16T07:00:00Z")).Digest?.MarkdownBlob);
    }

    private async Task IngestAsync()
    {
        await _test.PushAsync("register.csv", Register, FeedKind.Requests);
        await _test.PushAsync("feed.csv", Feed, FeedKind.Incidents, "liaison");
        var (_, failures) = await _test.Host.ProcessPendingAsync(null, CancellationToken.None);
        Assert.Empty(failures);
    }

    private BlobClient Blob(string name) => _test.Storage.Reports.GetBlobClient(name);

    private async Task<string> ReadAsync(string name) => (await Blob(name).DownloadContentAsync()).Value.Content.ToString();
}
