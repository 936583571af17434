// 3x3 stride-1 convolutions by Winograd's F(4x4, 3x3) (conv-winograd.cc), for conv.cc's
// Conv2D and Conv2DBackpropFilter where the product over channels is what costs.
#pragma once
#include <cstdint>

namespace labbook {

// out[b, y, x, o] = sum over i, j < 3 and c of in[b, y + i - padTop, x + j - padLeft, c] *
// filter[i, j, c, o], zero outside the image; NHWC, filter [3, 3, inC, outC], out fully written.
struct WinogradShape {
  int64_t batch, inH, inW, inC, outH, outW, outC, padTop, padLeft;
};

void WinogradConv3x3(const WinogradShape& s, const float* in, const float* filter, float* out);

// dw[i, j, c, o] = the gradient of that convolution's filter for the output gradient dy: the
// sum over output pixels of in[pixel + (i, j) - pad, c] * dy[pixel, o]; dw fully written.
void WinogradFilterGrad3x3(const WinogradShape& s, const float* in, const float* dy, float* dw);

}  // namespace labbook
