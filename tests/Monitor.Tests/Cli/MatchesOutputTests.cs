using Monitor.Cli;
using Monitor.Core.Storage;
using Spectre.Console;

namespace Monitor.Tests.Cli;

/// <summary>`monitor matches` on a terminal: it fits the width, and no two records look alike.</summary>
public sealed class MatchesOutputTests
{
    private const string Event = "5f9c6a1e-2b7d-4c8e-9d3a-1f2e3d4c5b6a";

    private static MatchEntity Match(string recordId, string indicator, string requestIndicator, string type = "exact") => new()
    {
        RequestId = "REQ-2026-0103",
        MatchType = type,
        Indicator = indicator,
        RequestIndicator = requestIndicator,
        Source = "cncert",
        RecordId = recordId,
        Kind = "misp-attribute",
    };

    private static readonly MatchEntity[] Rows =
    [
        // Two attributes of one event whose IDs differ only at the very end: the old table cut both to the same 57 characters.
        Match($"{Event}/0b1c2d3e-0001-4000-8000-00000000a001", "ip:198.51.100.23", "ip:198.51.100.23"),
        Match($"{Event}/0b1c2d3e-0001-4000-8000-00000000a002", "ip:198.51.100.24", "ip:198.51.100.24"),
        Match("indicator--4b2b8c1a-3d61-4e0f-9a0f-0b4bb2f5a7a1", "url:https://mail.login-secure-portal.cn/owa/auth.php?session=0123456789abcdef", "domain:login-secure-portal.cn", "url-host"),
    ];

    [Theory]
    [InlineData(80)]
    [InlineData(100)]
    [InlineData(120)]
    public void The_table_fits_the_terminal_and_keeps_every_record_id_whole(int width)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = width;

        SharedOutput.MatchesTable(Rows, console);

        var lines = output.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.All(lines, l => Assert.True(l.Length <= width, $"{l.Length} columns: {l}"));
        if (width < 100)
        {
            // Narrower than the table: Spectre wraps cells, nothing is cut.
            Assert.Contains("a001", output.ToString());
            return;
        }
        // Each attribute ID on a line of its own, whole.
        Assert.Contains(lines, l => l.Contains("0b1c2d3e-0001-4000-8000-00000000a001", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("0b1c2d3e-0001-4000-8000-00000000a002", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("...", StringComparison.Ordinal));
    }
}
