namespace Berth.Core.Distribution;

public enum RangeRequest
{
    Full,
    Partial,
    Unsatisfiable,
}
