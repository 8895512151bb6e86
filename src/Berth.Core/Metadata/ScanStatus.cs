namespace Berth.Core.Metadata;

public enum ScanStatus
{
    /// <summary>Waiting for a scanner (a finished scan queued again keeps its previous report until the new one lands).</summary>
    Queued = 1,

    Running = 2,

    Done = 3,

    /// <summary>The scan could not complete; <see cref="ScanRecord.Reason"/> says why.</summary>
    Failed = 4,
}
