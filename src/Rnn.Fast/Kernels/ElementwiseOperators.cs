using System.Runtime.Intrinsics;

namespace Rnn.Fast.Kernels;

// The operator + driver split follows TensorPrimitives: the maths of an elementwise kernel lives in a small struct
// with one Invoke per width, and one driver per operator shape runs the loop. The JIT specializes the driver for
// each struct, so there is no per-element dispatch and the loop is written once.
//
// Reproducibility contract: the four Invoke methods of an operator must perform, per element, exactly the same
// sequence of IEEE operations (explicit fused multiply-adds, same constants), so every width gives the same bits.

/// <summary>An elementwise operator of one input: <c>d[i] = f(x[i])</c>.</summary>
internal interface IUnaryOperator
{
    float Invoke(float x);
    Vector128<float> Invoke(Vector128<float> x);
    Vector256<float> Invoke(Vector256<float> x);
    Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>An elementwise operator of two inputs: <c>d[i] = f(x[i], y[i])</c>.</summary>
internal interface IBinaryOperator
{
    float Invoke(float x, float y);
    Vector128<float> Invoke(Vector128<float> x, Vector128<float> y);
    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);
    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}
