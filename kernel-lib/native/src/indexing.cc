// Indexing kernels: GatherV2, GatherNd, Transpose, Slice, Concat, Tile move 32-bit words (float32 and
// int32 alike, bit for bit); UnsortedSegmentSum and ScatterNd add float32 rows in input order.
#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>
#include "common.h"

namespace labbook {

namespace {

// The storage of a Float32Array or Int32Array of at least `need` elements, as words; nullptr after throwing.
uint32_t* Words(Napi::Env env, Napi::Value v, const std::string& what, size_t need) {
  if (!v.IsTypedArray() || (v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array &&
                            v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)) {
    Napi::TypeError::New(env, what + ": expected a Float32Array or an Int32Array").ThrowAsJavaScriptException();
    return nullptr;
  }
  auto a = v.As<Napi::TypedArray>();
  if (a.ElementLength() < need) {
    Napi::RangeError::New(env, what + ": expected " + std::to_string(need) + " elements, received " +
                                   std::to_string(a.ElementLength()))
        .ThrowAsJavaScriptException();
    return nullptr;
  }
  return reinterpret_cast<uint32_t*>(static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset());
}

uint32_t* Words(const Napi::CallbackInfo& info, size_t i, size_t need) {
  return Words(info.Env(), i < info.Length() ? info[i] : info.Env().Undefined(), "argument " + std::to_string(i), need);
}

// Argument i as a list of integers (shapes, permutations, strides); empty if it is not an array,
// -1 for an entry that is not a number (every caller rejects negative sizes).
std::vector<int64_t> Dims(const Napi::CallbackInfo& info, size_t i) {
  std::vector<int64_t> dims;
  if (i >= info.Length() || !info[i].IsArray()) return dims;
  auto a = info[i].As<Napi::Array>();
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value v = a.Get(k);
    dims.push_back(v.IsNumber() ? v.As<Napi::Number>().Int64Value() : -1);
  }
  return dims;
}

int64_t Product(const std::vector<int64_t>& dims, size_t from = 0) {
  int64_t n = 1;
  for (size_t k = from; k < dims.size(); ++k) n *= dims[k];
  return n;
}

std::vector<int64_t> Strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t k = shape.size(); k-- > 1;) strides[k - 1] = strides[k] * shape[k];
  return strides;
}

void Copy(uint32_t* to, const uint32_t* from, int64_t n) {
  if (n > 0) std::memcpy(to, from, static_cast<size_t>(n) * sizeof(uint32_t));
}

// Visits the positions of `dims` in row-major order, keeping offset = sum(index[k] * strides[k]).
struct Odometer {
  std::vector<int64_t> dims, strides, index;
  int64_t offset;
  Odometer(std::vector<int64_t> d, std::vector<int64_t> s, int64_t base)
      : dims(std::move(d)), strides(std::move(s)), index(dims.size(), 0), offset(base) {}
  void Next() {
    for (size_t k = dims.size(); k-- > 0;) {
      offset += strides[k];
      if (++index[k] < dims[k]) return;
      offset -= strides[k] * dims[k];
      index[k] = 0;
    }
  }
};

// Drops size-1 axes and merges input axes that stay neighbours in the output, so every transpose
// reduces to its fewest axes ([A, B, C, D] with perm [0, 1, 3, 2] becomes [A*B, C, D], [0, 2, 1]).
void SimplifyTranspose(std::vector<int64_t>& shape, std::vector<int64_t>& perm) {
  std::vector<int64_t> renumber(shape.size(), -1), kept, order;
  for (size_t k = 0; k < shape.size(); ++k) {
    if (shape[k] != 1) renumber[k] = static_cast<int64_t>(kept.size()), kept.push_back(shape[k]);
  }
  for (int64_t p : perm) {
    if (renumber[p] >= 0) order.push_back(renumber[p]);
  }
  // Runs of consecutive input axes in output order; each run becomes one axis.
  std::vector<std::pair<int64_t, int64_t>> runs;  // (first input axis, size), in output order
  for (size_t k = 0; k < order.size(); ++k) {
    if (k > 0 && order[k] == order[k - 1] + 1) runs.back().second *= kept[order[k]];
    else runs.push_back({order[k], kept[order[k]]});
  }
  std::vector<size_t> byInput(runs.size());
  std::iota(byInput.begin(), byInput.end(), 0);
  std::sort(byInput.begin(), byInput.end(), [&](size_t a, size_t b) { return runs[a].first < runs[b].first; });
  shape.assign(runs.size(), 0);
  perm.assign(runs.size(), 0);
  for (size_t i = 0; i < byInput.size(); ++i) {
    shape[i] = runs[byInput[i]].second;
    perm[byInput[i]] = static_cast<int64_t>(i);
  }
}

// out (cols x rows) = in (rows x cols) transposed, in square tiles so both sides stay in cache.
void Transpose2D(const uint32_t* in, uint32_t* out, int64_t rows, int64_t cols) {
  constexpr int64_t kTile = 16;
  for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      int64_t r1 = std::min(rows, r0 + kTile), c1 = std::min(cols, c0 + kTile);
      for (int64_t c = c0; c < c1; ++c)
        for (int64_t r = r0; r < r1; ++r) out[c * rows + r] = in[r * cols + c];
    }
  }
}

void Tile(const uint32_t* in, uint32_t* out, const std::vector<int64_t>& shape, const std::vector<int64_t>& reps,
          const std::vector<int64_t>& inStrides, const std::vector<int64_t>& outStrides, size_t d) {
  if (d == shape.size()) {
    *out = *in;
    return;
  }
  for (int64_t i = 0; i < shape[d]; ++i) Tile(in + i * inStrides[d], out + i * outStrides[d], shape, reps, inStrides, outStrides, d + 1);
  // The block just written for this axis, repeated reps[d] - 1 more times right after itself.
  int64_t block = shape[d] * outStrides[d];
  for (int64_t k = 1; k < reps[d]; ++k) Copy(out + k * block, out, block);
}

}  // namespace

// gather(x, indices, out, outer, dim, slice, count) -> bool: out[o, j, :] = x[o, indices[j], :] with
// x [outer, dim, slice] and out [outer, count, slice]; false (out untouched) if an index is outside [0, dim).
static Napi::Value Gather(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t outer = Int(info, 3), dim = Int(info, 4), slice = Int(info, 5), count = Int(info, 6);
  const uint32_t* x = Words(info, 0, outer * dim * slice);
  if (!x) return env.Undefined();
  const int32_t* indices = I32(info, 1, count);
  if (!indices) return env.Undefined();
  uint32_t* out = Words(info, 2, outer * count * slice);
  if (!out) return env.Undefined();
  for (int64_t j = 0; j < count; ++j) {
    if (indices[j] < 0 || indices[j] >= dim) return Napi::Boolean::New(env, false);
  }
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < count; ++j) Copy(out + (o * count + j) * slice, x + (o * dim + indices[j]) * slice, slice);
  return Napi::Boolean::New(env, true);
}

// transpose(x, out, shape, perm): out = x with its axes permuted (out's axis k is x's perm[k]).
static Napi::Value Transpose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<int64_t> shape = Dims(info, 2), perm = Dims(info, 3);
  int64_t n = Product(shape);
  const uint32_t* x = Words(info, 0, n);
  if (!x) return env.Undefined();
  uint32_t* out = Words(info, 1, n);
  if (!out) return env.Undefined();
  std::vector<bool> seen(shape.size(), false);
  bool valid = perm.size() == shape.size();
  for (size_t k = 0; valid && k < perm.size(); ++k) {
    valid = perm[k] >= 0 && perm[k] < static_cast<int64_t>(shape.size()) && !seen[perm[k]];
    if (valid) seen[perm[k]] = true;
  }
  if (!valid) {
    Napi::RangeError::New(env, "transpose: perm is not a permutation of the axes").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (n == 0) return env.Undefined();
  SimplifyTranspose(shape, perm);
  size_t r = shape.size();
  if (r <= 1) {
    Copy(out, x, n);
    return env.Undefined();
  }
  std::vector<int64_t> inStrides = Strides(shape), dims(r), strides(r);
  for (size_t k = 0; k < r; ++k) dims[k] = shape[perm[k]], strides[k] = inStrides[perm[k]];
  std::vector<int64_t> outerDims(dims.begin(), dims.end() - 1), outerStrides(strides.begin(), strides.end() - 1);
  if (perm[r - 1] == static_cast<int64_t>(r) - 2 && perm[r - 2] == static_cast<int64_t>(r) - 1) {
    // The last two axes swap: a batch of matrix transposes, one per position of the other axes.
    int64_t rows = shape[r - 2], cols = shape[r - 1];
    outerDims.pop_back(), outerStrides.pop_back();
    Odometer at(outerDims, outerStrides, 0);
    for (int64_t o = 0, count = Product(outerDims); o < count; ++o, at.Next())
      Transpose2D(x + at.offset, out + o * rows * cols, rows, cols);
    return env.Undefined();
  }
  // Otherwise one output row at a time: contiguous when the last axis stays last, strided reads if not.
  int64_t width = dims[r - 1], step = strides[r - 1];
  Odometer at(outerDims, outerStrides, 0);
  for (uint32_t* row = out; row < out + n; row += width, at.Next()) {
    if (step == 1) Copy(row, x + at.offset, width);
    else
      for (int64_t c = 0; c < width; ++c) row[c] = x[at.offset + c * step];
  }
  return env.Undefined();
}

// slice(x, out, shape, begin, size): out = x[begin : begin + size] along every axis.
static Napi::Value Slice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<int64_t> shape = Dims(info, 2), begin = Dims(info, 3), size = Dims(info, 4);
  const uint32_t* x = Words(info, 0, Product(shape));
  if (!x) return env.Undefined();
  uint32_t* out = Words(info, 1, Product(size));
  if (!out) return env.Undefined();
  size_t r = shape.size();
  bool inside = begin.size() == r && size.size() == r;
  for (size_t k = 0; inside && k < r; ++k) inside = begin[k] >= 0 && size[k] >= 0 && begin[k] + size[k] <= shape[k];
  if (!inside) {
    Napi::RangeError::New(env, "slice: begin and size do not lie inside the shape").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int64_t n = Product(size);
  if (n == 0) return env.Undefined();
  if (r == 0) {
    out[0] = x[0];
    return env.Undefined();
  }
  std::vector<int64_t> strides = Strides(shape);
  int64_t base = 0;
  for (size_t k = 0; k < r; ++k) base += begin[k] * strides[k];
  // Trailing axes taken whole extend the contiguous run copied at a time.
  size_t j = r - 1;
  while (j > 0 && size[j] == shape[j]) --j;
  int64_t run = Product(size, j);
  Odometer at(std::vector<int64_t>(size.begin(), size.begin() + j), std::vector<int64_t>(strides.begin(), strides.begin() + j), base);
  for (uint32_t* to = out; to < out + n; to += run, at.Next()) Copy(to, x + at.offset, run);
  return env.Undefined();
}

// concat(out, rows, inputs, cols): out [rows, sum(cols)] = the inputs ([rows, cols[i]] each) side by side.
static Napi::Value Concat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t rows = Int(info, 1);
  std::vector<int64_t> cols = Dims(info, 3);
  int64_t total = std::accumulate(cols.begin(), cols.end(), int64_t{0});
  uint32_t* out = Words(info, 0, rows * total);
  if (!out) return env.Undefined();
  if (info.Length() < 3 || !info[2].IsArray() || info[2].As<Napi::Array>().Length() != cols.size()) {
    Napi::TypeError::New(env, "concat: expected one array of inputs per column count").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto inputs = info[2].As<Napi::Array>();
  int64_t offset = 0;
  for (uint32_t i = 0; i < cols.size(); ++i) {
    const uint32_t* in = Words(env, inputs.Get(i), "concat input " + std::to_string(i), rows * cols[i]);
    if (!in) return env.Undefined();
    for (int64_t row = 0; row < rows; ++row) Copy(out + row * total + offset, in + row * cols[i], cols[i]);
    offset += cols[i];
  }
  return env.Undefined();
}

// tile(x, out, shape, reps): out [shape[k] * reps[k]] = x repeated reps[k] times along each axis k.
static Napi::Value TileFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<int64_t> shape = Dims(info, 2), reps = Dims(info, 3);
  if (reps.size() != shape.size() || std::any_of(reps.begin(), reps.end(), [](int64_t k) { return k < 0; })) {
    Napi::RangeError::New(env, "tile: expected one non-negative rep per axis").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::vector<int64_t> outShape(shape.size());
  for (size_t k = 0; k < shape.size(); ++k) outShape[k] = shape[k] * reps[k];
  const uint32_t* x = Words(info, 0, Product(shape));
  if (!x) return env.Undefined();
  uint32_t* out = Words(info, 1, Product(outShape));
  if (!out) return env.Undefined();
  if (Product(outShape) > 0) Tile(x, out, shape, reps, Strides(shape), Strides(outShape), 0);
  return env.Undefined();
}

// segmentSum(x, ids, out, rows, width, numSegments): out[s] = the sum of the rows i (of width floats)
// with ids[i] == s, in increasing i, in double rounded to float32 (the cpu kernel's order and
// precision); ids outside [0, numSegments) are dropped. Rows are bucketed by segment first, so
// only one row of accumulators is live.
static Napi::Value SegmentSum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t rows = Int(info, 3), width = Int(info, 4), segments = Int(info, 5);
  const float* x = F32(info, 0, rows * width);
  if (!x) return env.Undefined();
  const int32_t* ids = I32(info, 1, rows);
  if (!ids) return env.Undefined();
  float* out = F32(info, 2, segments * width);
  if (!out) return env.Undefined();
  if (segments < 0 || width < 0) {
    Napi::RangeError::New(env, "segmentSum: negative size").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::vector<int64_t> start(segments + 1, 0);
  for (int64_t i = 0; i < rows; ++i) {
    if (ids[i] >= 0 && ids[i] < segments) ++start[ids[i] + 1];
  }
  for (int64_t s = 0; s < segments; ++s) start[s + 1] += start[s];
  std::vector<int64_t> order(start[segments]), next(start.begin(), start.end() - 1);
  for (int64_t i = 0; i < rows; ++i) {
    if (ids[i] >= 0 && ids[i] < segments) order[next[ids[i]]++] = i;
  }
  std::vector<double> acc(width);
  for (int64_t s = 0; s < segments; ++s) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int64_t k = start[s]; k < start[s + 1]; ++k) {
      const float* row = x + order[k] * width;
      for (int64_t c = 0; c < width; ++c) acc[c] += row[c];
    }
    for (int64_t c = 0; c < width; ++c) out[s * width + c] = static_cast<float>(acc[c]);
  }
  return env.Undefined();
}

// The flat slice index of each index tuple (indices [count, rank], strides in slices), or an
// empty list if one falls outside [0, slices): the cpu kernels check only the flat index.
static std::vector<int64_t> SliceOffsets(const int32_t* indices, int64_t count, int64_t rank,
                                         const std::vector<int64_t>& strides, int64_t slices) {
  std::vector<int64_t> at(count);
  for (int64_t i = 0; i < count; ++i) {
    int64_t flat = 0;
    for (int64_t j = 0; j < rank; ++j) flat += indices[i * rank + j] * strides[j];
    if (flat < 0 || flat >= slices) return {};
    at[i] = flat;
  }
  return at;
}

// gatherNd(params, indices, out, count, rank, sliceSize, strides, slices) -> bool: out[i] = the
// slice of params at indices[i]; false if an index is out of range.
static Napi::Value GatherNd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t count = Int(info, 3), rank = Int(info, 4), sliceSize = Int(info, 5), slices = Int(info, 7);
  std::vector<int64_t> strides = Dims(info, 6);
  const uint32_t* params = Words(info, 0, slices * sliceSize);
  if (!params) return env.Undefined();
  const int32_t* indices = I32(info, 1, count * rank);
  if (!indices) return env.Undefined();
  uint32_t* out = Words(info, 2, count * sliceSize);
  if (!out) return env.Undefined();
  if (static_cast<int64_t>(strides.size()) != rank) {
    Napi::RangeError::New(env, "expected one stride per index component").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::vector<int64_t> at = SliceOffsets(indices, count, rank, strides, slices);
  if (static_cast<int64_t>(at.size()) != count) return Napi::Boolean::New(env, false);
  for (int64_t i = 0; i < count; ++i) Copy(out + i * sliceSize, params + at[i] * sliceSize, sliceSize);
  return Napi::Boolean::New(env, true);
}

// scatterNd(indices, updates, out, count, rank, sliceSize, strides, slices) -> bool: out (zeros)
// += updates[i] at the slice indices[i] names, in increasing i in float32 as the cpu kernel adds;
// false if an index is out of range.
static Napi::Value ScatterNd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t count = Int(info, 3), rank = Int(info, 4), sliceSize = Int(info, 5), slices = Int(info, 7);
  std::vector<int64_t> strides = Dims(info, 6);
  const int32_t* indices = I32(info, 0, count * rank);
  if (!indices) return env.Undefined();
  const float* updates = F32(info, 1, count * sliceSize);
  if (!updates) return env.Undefined();
  float* out = F32(info, 2, slices * sliceSize);
  if (!out) return env.Undefined();
  if (static_cast<int64_t>(strides.size()) != rank) {
    Napi::RangeError::New(env, "expected one stride per index component").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::vector<int64_t> at = SliceOffsets(indices, count, rank, strides, slices);
  if (static_cast<int64_t>(at.size()) != count) return Napi::Boolean::New(env, false);
  for (int64_t i = 0; i < count; ++i) {
    float* to = out + at[i] * sliceSize;
    const float* from = updates + i * sliceSize;
    for (int64_t k = 0; k < sliceSize; ++k) to[k] += from[k];
  }
  return Napi::Boolean::New(env, true);
}

void RegisterIndexing(Napi::Env env, Napi::Object exports) {
  exports.Set("gather", Napi::Function::New(env, Gather));
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("slice", Napi::Function::New(env, Slice));
  exports.Set("concat", Napi::Function::New(env, Concat));
  exports.Set("tile", Napi::Function::New(env, TileFn));
  exports.Set("segmentSum", Napi::Function::New(env, SegmentSum));
  exports.Set("gatherNd", Napi::Function::New(env, GatherNd));
  exports.Set("scatterNd", Napi::Function::New(env, ScatterNd));
}

}  // namespace labbook
