namespace Monitor.Tests.Infrastructure;

/// <summary>Locates the repository (the folder holding Monitor.sln) and the shared public samples beside it.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>../shared/samples from the repo root, or MONITOR_SHARED_SAMPLES.</summary>
    public static string SharedSamples
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("MONITOR_SHARED_SAMPLES");
            var path = string.IsNullOrEmpty(configured) ? Path.GetFullPath(Path.Combine(Root, "..", "shared", "samples")) : configured;
            return Directory.Exists(path) ? path : throw new DirectoryNotFoundException($"shared samples not found at {path} (set MONITOR_SHARED_SAMPLES)");
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
