//! The BERT encoder for inference on the CPU, after candle-transformers' `bert` model (MIT or
//! Apache-2.0, the same weights and configuration) with what makes it faster there:
//! - GELU runs in parallel over the activations, with an erf accurate to 1.5e-7 (Abramowitz and
//!   Stegun 7.1.26) instead of candle's one-thread scalar erf;
//! - attention uses candle's fused, parallel softmax over the last dimension, and scales the
//!   queries (384 values a token) instead of the scores (one per token pair);
//! - the query, key and value projections are one matrix product;
//! - no dropout or tracing layers, which inference never uses.

use candle_core::{CpuStorage, CustomOp1, DType, Layout, Module, Result, Shape, Tensor};
use candle_nn::{embedding, layer_norm, linear, Embedding, LayerNorm, Linear, VarBuilder};
use candle_transformers::models::bert::{Config, HiddenAct};
use rayon::prelude::*;

/// BERT's encoder: embeddings and transformer layers, returning the last hidden states.
pub struct Bert {
    embeddings: Embeddings,
    layers: Vec<Layer>,
    heads: usize,
    head_dim: usize,
    act: HiddenAct,
}

struct Embeddings {
    words: Embedding,
    positions: Embedding,
    token_types: Embedding,
    norm: LayerNorm,
}

struct Layer {
    /// Query, key and value projections stacked into one matrix: one product instead of three.
    qkv: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

impl Bert {
    /// Loads the weights (with or without a `bert.` prefix) for `config`.
    pub fn load(vb: VarBuilder, config: &Config) -> Result<Self> {
        let vb = if vb.contains_tensor("embeddings.word_embeddings.weight") {
            vb
        } else {
            vb.pp("bert")
        };
        let (hidden, norm_eps) = (config.hidden_size, config.layer_norm_eps);
        let e = vb.pp("embeddings");
        let embeddings = Embeddings {
            words: embedding(config.vocab_size, hidden, e.pp("word_embeddings"))?,
            positions: embedding(
                config.max_position_embeddings,
                hidden,
                e.pp("position_embeddings"),
            )?,
            token_types: embedding(
                config.type_vocab_size,
                hidden,
                e.pp("token_type_embeddings"),
            )?,
            norm: layer_norm(hidden, norm_eps, e.pp("LayerNorm"))?,
        };
        let layers = (0..config.num_hidden_layers)
            .map(|i| {
                let l = vb.pp(format!("encoder.layer.{i}"));
                let (a, s) = (l.pp("attention"), l.pp("attention.self"));
                let parts =
                    ["query", "key", "value"].map(|name| linear(hidden, hidden, s.pp(name)));
                let [q, k, v] = parts;
                let (q, k, v) = (q?, k?, v?);
                let weight = Tensor::cat(&[q.weight(), k.weight(), v.weight()], 0)?;
                let bias = match (q.bias(), k.bias(), v.bias()) {
                    (Some(a), Some(b), Some(c)) => Some(Tensor::cat(&[a, b, c], 0)?),
                    _ => None,
                };
                Ok(Layer {
                    qkv: Linear::new(weight, bias),
                    attention_out: linear(hidden, hidden, a.pp("output.dense"))?,
                    attention_norm: layer_norm(hidden, norm_eps, a.pp("output.LayerNorm"))?,
                    intermediate: linear(
                        hidden,
                        config.intermediate_size,
                        l.pp("intermediate.dense"),
                    )?,
                    output: linear(config.intermediate_size, hidden, l.pp("output.dense"))?,
                    output_norm: layer_norm(hidden, norm_eps, l.pp("output.LayerNorm"))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Bert {
            embeddings,
            layers,
            heads: config.num_attention_heads,
            head_dim: hidden / config.num_attention_heads,
            act: config.hidden_act,
        })
    }

    /// Last hidden states `(batch, tokens, hidden)` for token ids, token types and the attention
    /// mask (1 for a token, 0 for padding), each `(batch, tokens)`; no mask when nothing is padded.
    pub fn forward(&self, ids: &Tensor, types: &Tensor, mask: Option<&Tensor>) -> Result<Tensor> {
        let tokens = ids.dim(1)?;
        let positions = Tensor::arange(0u32, tokens as u32, ids.device())?;
        let e = &self.embeddings;
        let x = (e.words.forward(ids)? + e.token_types.forward(types)?)?
            .broadcast_add(&e.positions.forward(&positions)?)?;
        let mut x = e.norm.forward(&x)?;
        // Padding gets the lowest float as a score, so it weighs nothing after the softmax.
        let mask = match mask {
            Some(mask) => {
                let mask = mask.to_dtype(DType::F32)?.unsqueeze(1)?.unsqueeze(1)?;
                Some(((1.0 - mask)? * f64::from(f32::MIN))?)
            }
            None => None,
        };
        for layer in &self.layers {
            x = self.layer(layer, &x, mask.as_ref())?;
        }
        Ok(x)
    }

    fn layer(&self, layer: &Layer, x: &Tensor, mask: Option<&Tensor>) -> Result<Tensor> {
        let (batch, tokens, hidden) = x.dims3()?;
        let heads = |t: Tensor| {
            t.reshape((batch, tokens, self.heads, self.head_dim))?
                .transpose(1, 2)?
                .contiguous()
        };
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        let qkv = layer.qkv.forward(x)?;
        let q = heads((qkv.narrow(2, 0, hidden)? * scale)?)?;
        let k = heads(qkv.narrow(2, hidden, hidden)?)?;
        let v = heads(qkv.narrow(2, 2 * hidden, hidden)?)?;
        let mut scores = q.matmul(&k.t()?)?;
        if let Some(mask) = mask {
            scores = scores.broadcast_add(mask)?;
        }
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        let context = probs
            .matmul(&v)?
            .transpose(1, 2)?
            .contiguous()?
            .reshape((batch, tokens, hidden))?;
        let x = layer
            .attention_norm
            .forward(&(layer.attention_out.forward(&context)? + x)?)?;
        let inner = layer.intermediate.forward(&x)?;
        let inner = match self.act {
            HiddenAct::Gelu => inner.apply_op1_no_bwd(&ParallelGelu)?,
            HiddenAct::GeluApproximate => inner.gelu()?,
            HiddenAct::Relu => inner.relu()?,
        };
        layer
            .output_norm
            .forward(&(layer.output.forward(&inner)? + x)?)
    }
}

/// GELU, `x * (1 + erf(x / sqrt(2))) / 2`, over contiguous f32 activations, in parallel.
struct ParallelGelu;

impl CustomOp1 for ParallelGelu {
    fn name(&self) -> &'static str {
        "parallel-gelu"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let CpuStorage::F32(data) = storage else {
            candle_core::bail!("parallel-gelu: f32 only");
        };
        let Some((start, end)) = layout.contiguous_offsets() else {
            candle_core::bail!("parallel-gelu: the input must be contiguous");
        };
        let src = &data[start..end];
        let mut out = vec![0f32; src.len()];
        out.par_chunks_mut(8192)
            .zip(src.par_chunks(8192))
            .for_each(|(out, src)| {
                for (o, &x) in out.iter_mut().zip(src) {
                    *o = gelu(x);
                }
            });
        Ok((CpuStorage::F32(out), layout.shape().clone()))
    }
}

fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// The error function to within 1.5e-7 (Abramowitz and Stegun 7.1.26), branch-free but for the
/// sign.
fn erf(x: f32) -> f32 {
    const P: f32 = 0.327_591_1;
    const A: [f32; 5] = [
        0.254_829_6,
        -0.284_496_74,
        1.421_413_8,
        -1.453_152_1,
        1.061_405_4,
    ];
    let a = x.abs();
    let t = 1.0 / (1.0 + P * a);
    let poly = t * (A[0] + t * (A[1] + t * (A[2] + t * (A[3] + t * A[4]))));
    let y = 1.0 - poly * (-a * a).exp();
    y.copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_and_gelu_match_the_exact_functions() {
        // Reference values of erf (exact to 1e-9).
        for (x, expected) in [
            (0.0f32, 0.0f32),
            (0.1, 0.112_462_92),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (2.0, 0.995_322_3),
            (-1.5, -0.966_105_16),
            (4.0, 0.999_999_98),
        ] {
            assert!((erf(x) - expected).abs() < 3e-7, "erf({x}) = {}", erf(x));
        }
        // Against candle's own exact GELU over a range of activations.
        let xs: Vec<f32> = (-800..800).map(|i| i as f32 / 100.0).collect();
        let t = Tensor::new(xs.as_slice(), &candle_core::Device::Cpu).unwrap();
        let exact: Vec<f32> = t.gelu_erf().unwrap().to_vec1().unwrap();
        let ours: Vec<f32> = t
            .apply_op1_no_bwd(&ParallelGelu)
            .unwrap()
            .to_vec1()
            .unwrap();
        let worst = exact
            .iter()
            .zip(&ours)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-6, "largest difference {worst}");
    }
}
