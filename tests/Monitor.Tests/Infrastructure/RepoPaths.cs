namespace Monitor.Tests.Infrastructure;

/// <summary>Locates the repository (the folder holding Monitor.sln) and the shared public samples beside it.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// The public sample feeds, read where they lie: MONITOR_SHARED_SAMPLES, else the first shared/samples folder beside
    /// the repository or beside any folder above it (../shared/samples for a checkout next to shared/, ../../shared/samples
    /// for a worktree one level deeper).
    /// </summary>
    public static string SharedSamples
    {
        get
        {
            if (Environment.GetEnvironmentVariable("MONITOR_SHARED_SAMPLES") is { Length: > 0 } configured)
            {
                return Directory.Exists(configured) ? configured : throw new DirectoryNotFoundException($"MONITOR_SHARED_SAMPLES={configured} does not exist");
            }
            var looked = new List<string>();
            for (var dir = new DirectoryInfo(Root).Parent; dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "samples");
                looked.Add(candidate);
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
            throw new DirectoryNotFoundException($"shared/samples not found (looked in {string.Join(", ", looked)}); set MONITOR_SHARED_SAMPLES");
        }
    }

    public static string Samples => Path.Combine(Root, "samples");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Monitor.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"no Monitor.sln above {AppContext.BaseDirectory}");
    }
}
