using Microsoft.Extensions.DependencyInjection;
using Monitor.Cli;
using Monitor.Core.Reporting;
using Monitor.Tests.Infrastructure;
using NodaTime;

// Not Monitor.Tests.Console: a namespace named Console would hide System.Console from every test namespace.
namespace Monitor.Tests.WebConsole;

/// <summary>
/// A small duty-officer scenario served by `monitor serve` (LocalApiServer with a real key check) on Azurite, its clock
/// stopped at the last sweep's instant so that "time left" and the request pages' levels are fixed.
/// </summary>
/// <remarks>
/// Hand-computed for C-01 (high, US asks CN, submitted Mon 2026-11-16 09:00 +08 = 01:00Z; CN works Mon-Fri 09:00-17:00
/// Asia/Shanghai, no holiday that week): the acknowledgement (P1D = 8 working hours) is met by E-1 at 08:00Z; the
/// response (P5D = 40 working hours) is due Fri 2026-11-20 17:00 +08 = 09:00Z, at risk from 75% = 30 h (Thu 15:00 +08), so
/// at 2026-11-20T01:00Z (Fri 09:00 +08, 32 h used) it is at-risk with 8 h left, and it escalates after 40 more working
/// hours: Fri 2026-11-27 17:00 +08 = 09:00Z. In New York (UTC-5 in November) the due instant is Fri 2026-11-20 04:00.
/// </remarks>
public sealed class ConsoleScenario : IAsyncLifetime
{
    public const string Key = "console-test-key-0123456789";
    public static readonly Instant SweptAt = Instant.FromUtc(2026, 11, 20, 1, 0);

    public const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
        C-01,US,CN,investigation,high,2026-11-16T09:00:00+08:00,Downloader URL,hxxp://x4z9arb[.]cn/4712
        C-02,US,CN,mitigation,critical,2026-11-19T20:00:00+08:00,Botnet C2 <b>not markup</b>,198.51.100.7
        C-03,US,CN,evidence,medium,2026-11-18T10:00:00+08:00,Sample,76BD79F774AE892FD6A30B6463050A91
        C-04,CN,US,information,low,2026-11-18T09:00:00-05:00,Malware host,fake.website.com
        C-05,CN,US,investigation,high,2026-11-16T09:00:00-05:00,Phishing kit,kit.example.org
        """;

    public const string Events = """
        record_id,reported_at,reporter,kind,request_refs,indicators,summary
        E-1,2026-11-16T08:00:00Z,CN,acknowledgement,C-01,,Received
        E-2,2026-11-19T12:00:00Z,cert-x,sighting,,http://x4z9arb.cn/4712,seen again
        E-3,yesterday,CN,status-update,C-03,,a date nobody can read
        E-4,2026-11-16T15:00:00Z,US,acknowledgement,C-05,,Received
        """;

    private readonly TestStorage _test = new(SweptAt);
    private LocalApiServer _server = null!;

    public TestStorage Storage => _test;
    public Uri BaseAddress => _server.BaseAddress;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _test.PushAsync("register.csv", Register, FeedKind.Requests);
        Assert.Empty((await _test.Host.RunOnceAsync(Instant.FromUtc(2026, 11, 17, 0, 0), null, CancellationToken.None)).Failures);
        await _test.PushAsync("events.csv", Events, FeedKind.Incidents, "liaison");
        // A file that is not UTF-8 cannot be read at all: it goes to quarantine whole.
        await _test.Storage.Incoming.GetBlobClient("incidents/cert-x/broken.csv").UploadAsync(BinaryData.FromBytes([0x72, 0x65, 0x63, 0xff, 0xfe, 0x0a]), overwrite: true);
        await _test.Host.RunOnceAsync(SweptAt, null, CancellationToken.None);
        _server = await LocalApiServer.StartAsync(_test.Services, Key, 0, null, CancellationToken.None);
        Http = new HttpClient { BaseAddress = _server.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _server.DisposeAsync();
        await _test.DisposeAsync();
    }
}
