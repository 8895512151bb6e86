using System.ComponentModel.DataAnnotations;

namespace Berth.Registry.Hosting;

public sealed class UploadOptions
{
    /// <summary>An upload session untouched this long is abandoned: it and its bytes are deleted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan MaxIdle { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often abandoned sessions are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Upload sessions a registry may have open at once (each is a metadata row and a directory); starting one more is
    /// answered <c>429 TOOMANYREQUESTS</c> until some end (complete, cancel, or abandoned past <see cref="MaxIdle"/>).
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxSessionsPerRegistry { get; set; } = 1000;
}
