namespace Berth.Core.Metadata;

public enum UploadStartResult
{
    /// <summary>The session is open and holds the bytes asked for.</summary>
    Started,

    /// <summary>The registry already has as many open sessions as allowed; nothing was recorded.</summary>
    TooManySessions,

    /// <summary>The bytes asked for would take the registry past its allocation; nothing was recorded.</summary>
    OverLimit,

    /// <summary>The registry no longer exists; nothing was recorded.</summary>
    RegistryGone,
}
