/**
 * The GRU's per-step WGSL programs, one workgroup per row, in Keras gate order z, r, h:
 * h' = z⊙h + (1−z)⊙h̃ with
 *   reset after (Keras, cuDNN): h̃ = act(x·W_h + b_xh + r⊙(h·U_h + b_hh))
 *   reset before (tfjs-layers):  h̃ = act(x·W_h + b_h + (r⊙h)·U_h).
 * Reset before needs r⊙h of every unit before the candidate's product, hence a storage
 * barrier inside the step; the backward needs every unit's dz before dh = dz·Uᵀ.
 *
 * Forward record: gates [T,B,3H] (4H with reset after: h·U_h + b_hh as the fourth block,
 * core's workspace), hs [T,B,H], ys [B,T,H], then r⊙h [B,H] scratch.
 * Backward record: dZ [B,T,3H] (input side), dHU [B,T,3H] (recurrent side, reset after)
 * or r⊙h₋₁ [B,T,H] (reset before), h₋₁ [B,T,H], then dh [B,H] and a scratch [B,H].
 */
import { WORKGROUP, WORKGROUP_INDEX } from './program.js';

const PROLOGUE = `
    let B = uniforms.batch; let T = uniforms.time; let H = uniforms.units;
    let t = uniforms.step; let p = uniforms.previous;
    let b = ${WORKGROUP_INDEX};
    let inRange = b < B;
    let real = inRange && flags[b * T + t] != 0.0;
    let emitted = flags[B * T + b * T + t];`;

const UNITS = `for (var j = i32(localIndex); inRange && j < H; j += ${WORKGROUP})`;

/** `fn main` of one forward step; `recurrentBias` only with reset after. */
export function gruForwardStep(resetAfter: boolean, recurrentBias: boolean): string {
  const width = resetAfter ? 4 : 3;
  const header = `
  fn previousH(b : i32, m : i32) -> f32 {
    let B = uniforms.batch; let T = uniforms.time; let H = uniforms.units; let p = uniforms.previous;
    if (p < 0) { return h0[b * H + m]; }
    return result[T * B * ${width} * H + (p * B + b) * H + m];
  }
  fn main(index : i32) {${PROLOGUE}
    let G = ${width} * H; let hsAt = T * B * G; let ysAt = hsAt + T * B * H; let rhAt = ysAt + B * T * H;
    let inputAt = (b * T + t) * 3 * H;`;
  const finish = `
      let hPrevious = previousH(b, j);
      var h = z * hPrevious + (1.0 - z) * candidateH;
      if (!real) { h = hPrevious; }
      result[hsAt + (t * B + b) * H + j] = h;
      result[ysAt + (b * T + t) * H + j] = emitted * h;`;
  if (resetAfter) {
    const bhh = (k: string) => (recurrentBias ? ` + bias[3 * H + ${k}]` : '');
    return `${header}
    ${UNITS} {
      var acc = vec3<f32>(0.0);
      for (var m = 0; m < H; m++) {
        let u = m * 3 * H + j;
        acc += previousH(b, m) * vec3<f32>(recurrentKernel[u], recurrentKernel[u + H], recurrentKernel[u + 2 * H]);
      }
      let hu = acc + vec3<f32>(0.0${bhh('j')}, 0.0${bhh('H + j')}, 0.0${bhh('2 * H + j')});
      let x = inputAt + j;
      let z = gate((projected[x] + bias[j]) + hu.x);
      let r = gate((projected[x + H] + bias[H + j]) + hu.y);
      let candidateH = candidate((projected[x + 2 * H] + bias[2 * H + j]) + r * hu.z);
      let gateAt = (t * B + b) * G + j;
      result[gateAt] = z; result[gateAt + H] = r; result[gateAt + 2 * H] = candidateH; result[gateAt + 3 * H] = hu.z;${finish}
    }
  }`;
  }
  return `${header}
    ${UNITS} {
      var acc = vec2<f32>(0.0);
      for (var m = 0; m < H; m++) {
        let u = m * 3 * H + j;
        acc += previousH(b, m) * vec2<f32>(recurrentKernel[u], recurrentKernel[u + H]);
      }
      let x = inputAt + j;
      let z = gate((projected[x] + bias[j]) + acc.x);
      let r = gate((projected[x + H] + bias[H + j]) + acc.y);
      let gateAt = (t * B + b) * G + j;
      result[gateAt] = z; result[gateAt + H] = r;
      result[rhAt + b * H + j] = r * previousH(b, j);
    }
    storageBarrier();
    ${UNITS} {
      var acc = 0.0;
      for (var m = 0; m < H; m++) { acc += result[rhAt + b * H + m] * recurrentKernel[m * 3 * H + 2 * H + j]; }
      let candidateH = candidate((projected[inputAt + 2 * H + j] + bias[2 * H + j]) + acc);
      let z = result[(t * B + b) * G + j];
      result[(t * B + b) * G + 2 * H + j] = candidateH;${finish}
    }
  }`;
}

/** `fn main` of one backward step; uniform `isLast` is 1 where dhT joins. */
export function gruBackwardStep(resetAfter: boolean): string {
  const second = resetAfter ? 'B * T * 3 * H' : 'B * T * H';
  const header = `
  fn main(index : i32) {${PROLOGUE}
    let weight = select(0.0, 1.0, real);
    let G = ${resetAfter ? 4 : 3} * H; let row = (b * T + t) * 3 * H;
    let secondAt = B * T * 3 * H; let hpAt = secondAt + ${second}; let dhAt = hpAt + B * T * H; let partAt = dhAt + B * H;
    ${UNITS} {
      var carried = dhT[b * H + j];
      if (uniforms.isLast == 0) { carried = result[dhAt + b * H + j]; }
      let total = carried + dys[(b * T + t) * H + j] * emitted;
      // h_t = m·h' + (1 − m)·h_{t−1}: padded steps pass the gradient straight through.
      let dNew = total * weight;
      let gi = (t * B + b) * G + j;
      let z = gates[gi]; let r = gates[gi + H]; let candidateH = gates[gi + 2 * H];
      var hPrevious = h0[b * H + j];
      if (p >= 0) { hPrevious = hs[(p * B + b) * H + j]; }
      let dzPre = gateBack(dNew * (hPrevious - candidateH), z);
      let dCandidatePre = candidateBack(dNew * (1.0 - z), candidateH);
      result[row + j] = dzPre;
      result[row + 2 * H + j] = dCandidatePre;
      result[hpAt + (b * T + t) * H + j] = hPrevious;
      result[partAt + b * H + j] = dNew * z + total * (1.0 - weight);`;
  // dh₋₁ = partial + Σ_k dRecurrent[k]·U[j, k] over the blocks the recurrent product fed.
  const carry = (source: string, blocks: number) => `
    storageBarrier();
    ${UNITS} {
      var acc = 0.0;
      for (var k = 0; k < ${blocks} * H; k++) { acc += result[${source} + k] * recurrentKernel[j * 3 * H + k]; }
      result[dhAt + b * H + j] = result[partAt + b * H + j] + acc;
    }
  }`;
  if (resetAfter) {
    return `${header}
      let drPre = gateBack(dCandidatePre * gates[gi + 3 * H], r);
      result[row + H + j] = drPre;
      result[secondAt + row + j] = dzPre;
      result[secondAt + row + H + j] = drPre;
      result[secondAt + row + 2 * H + j] = dCandidatePre * r;
    }${carry('secondAt + row', 3)}`;
  }
  return `${header}
      result[secondAt + (b * T + t) * H + j] = r * hPrevious;
    }
    storageBarrier();
    ${UNITS} {
      var dResetH = 0.0;
      for (var k = 0; k < H; k++) { dResetH += result[row + 2 * H + k] * recurrentKernel[j * 3 * H + 2 * H + k]; }
      let r = gates[(t * B + b) * G + H + j];
      result[row + H + j] = gateBack(dResetH * result[hpAt + (b * T + t) * H + j], r);
      result[partAt + b * H + j] += dResetH * r;
    }${carry('row', 2)}`;
}
